-- The demo's open tasks with a fixed deadline still ahead (正常推进, 临期), each with its first
-- lead unit, by code: the ones its units ask to close or extend on the demo's first day.
SELECT s.code, s.deadline, u.unit_id, u.name AS unit_name
FROM task_status($as_of, 5) s
JOIN task_units tu ON tu.task_id = s.task_id AND tu.role = 'lead'
JOIN units u ON u.unit_id = tu.unit_id
WHERE s.status IN ('on_track', 'due_soon') AND s.deadline_kind = 'date'
QUALIFY row_number() OVER (PARTITION BY s.task_id ORDER BY tu.position) = 1
ORDER BY s.code
LIMIT $limit
