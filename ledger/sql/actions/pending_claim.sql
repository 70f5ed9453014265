-- The completion claim of task $task_id that waits for 核查 (at most one).
SELECT progress_id, report_date, done_date, text, reported_by
FROM progress
WHERE task_id = $task_id AND claims_done AND claim_state = 'pending'
ORDER BY progress_id DESC
LIMIT 1
