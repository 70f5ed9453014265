-- The leaders of the tasks in `rewritten` (task_id), whose leaders changed.
DELETE FROM task_leaders WHERE task_id IN (SELECT task_id FROM rewritten)
