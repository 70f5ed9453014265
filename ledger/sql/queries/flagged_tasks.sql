-- How many of the tasks in scope carry an import flag (task_flags), and how many flags: the
-- count 督查总览 shows beside the statuses.
SELECT count(DISTINCT s.task_id)::INTEGER AS tasks, count(f.task_id)::INTEGER AS flags
FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders) s
JOIN task_flags f USING (task_id)
WHERE s.lifecycle = 'open'
