-- The flags of the tasks in `rewritten` (task_id), whose flags changed.
DELETE FROM task_flags WHERE task_id IN (SELECT task_id FROM rewritten)
