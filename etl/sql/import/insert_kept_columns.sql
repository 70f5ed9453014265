-- The columns of a list the importer does not know, kept per task (`kept_rows`, with the batch_id).
INSERT INTO task_kept_columns (task_id, position, name, value, batch_id)
SELECT task_id, position, name, value, batch_id FROM kept_rows
