-- The unit links of the tasks in `rewritten` (task_id), whose unit lists changed.
DELETE FROM task_units WHERE task_id IN (SELECT task_id FROM rewritten)
