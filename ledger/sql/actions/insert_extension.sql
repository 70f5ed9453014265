-- An extension request; $filed_late when the office records it after the deadline (逾期后补办).
INSERT INTO extensions (task_id, requested_date, original_deadline, new_deadline, reason, decision, requested_by,
                        filed_late)
VALUES ($task_id, $requested_date, $original_deadline, $new_deadline, $reason, 'pending', $requested_by, $filed_late)
RETURNING extension_id
