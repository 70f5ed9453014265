-- A progress report; a completion claim when $claims_done (then $claim_state = 'pending').
INSERT INTO progress (task_id, report_date, text, claims_done, reported_by, done_date, claim_state)
VALUES ($task_id, $report_date, $text, $claims_done, $reported_by, $done_date, $claim_state)
RETURNING progress_id
