-- What an import flagged on tasks (task_flags, issue 9), in the order found: of task $task_id,
-- or of every task when $task_id is NULL (the CLI's status --tasks).
SELECT f.task_id, t.code, f.seq, f.kind, f.column_name, f.text, f.sheet, f.excel_row, f.batch_id
FROM task_flags f JOIN tasks t USING (task_id)
WHERE $task_id::INTEGER IS NULL OR f.task_id = $task_id::INTEGER
ORDER BY f.task_id, f.seq
