-- The completion claims of `claims` (claims.sql), waiting for 核查 as a unit's 申请办结 does.
INSERT INTO progress (task_id, report_date, text, claims_done, reported_by, batch_id, done_date, claim_state)
SELECT task_id, report_date, text, true, $actor, $batch, least(done_date, report_date), 'pending' FROM claims
