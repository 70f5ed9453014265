UPDATE progress SET claim_state = $claim_state
WHERE progress_id = $progress_id
