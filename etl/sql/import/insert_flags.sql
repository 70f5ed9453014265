-- Tasks' flags as an import found them (`flag_rows`, with its batch_id).
INSERT INTO task_flags (task_id, seq, kind, column_name, text, sheet, excel_row, batch_id)
SELECT task_id, seq, kind, column_name, text, sheet, excel_row, batch_id FROM flag_rows
