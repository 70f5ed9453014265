INSERT INTO extensions (task_id, requested_date, original_deadline, new_deadline, reason, decision, requested_by)
VALUES ($task_id, $requested_date, $original_deadline, $new_deadline, $reason, 'pending', $requested_by)
RETURNING extension_id
