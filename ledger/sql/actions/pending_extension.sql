-- The extension request of task $task_id that waits for a decision (at most one).
SELECT extension_id, requested_date, new_deadline
FROM extensions
WHERE task_id = $task_id AND decision = 'pending'
ORDER BY extension_id DESC
LIMIT 1
