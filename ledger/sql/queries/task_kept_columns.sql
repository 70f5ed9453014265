-- The columns of its list the importer kept with task $task_id (task_kept_columns), in the
-- list's order, named as the list names them.
SELECT name, value
FROM task_kept_columns
WHERE task_id = $task_id::INTEGER
ORDER BY position
