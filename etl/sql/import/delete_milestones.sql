-- The milestones of the tasks in `rewritten` (task_id), whose milestones changed.
DELETE FROM milestones WHERE task_id IN (SELECT task_id FROM rewritten)
