-- Extension requests still pending on task $task_id when the office closes, cancels or reopens it.
SELECT extension_id
FROM extensions
WHERE task_id = $task_id AND decision = 'pending'
ORDER BY extension_id
