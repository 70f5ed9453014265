-- The milestones of task $task_id with their status as of $as_of, in order.
SELECT seq, text, deadline, finished, status
FROM milestone_status($as_of, $soon)
WHERE task_id = $task_id
ORDER BY seq
