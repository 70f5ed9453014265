INSERT INTO verifications (task_id, verified_date, verifier, result, note, progress_id)
VALUES ($task_id, $verified_date, $verifier, $result, $note, $progress_id)
RETURNING verification_id
