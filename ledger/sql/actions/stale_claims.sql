-- Claims still pending on task $task_id when the office closes, cancels or reopens it.
SELECT progress_id
FROM progress
WHERE task_id = $task_id AND claims_done AND claim_state = 'pending'
ORDER BY progress_id
