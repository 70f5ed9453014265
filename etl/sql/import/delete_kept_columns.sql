-- The kept columns of the tasks in `rewritten` (task_id), whose kept columns changed.
DELETE FROM task_kept_columns WHERE task_id IN (SELECT task_id FROM rewritten)
