INSERT INTO chases (task_id, unit_id, chased_on, way, note, chased_by, created_at)
VALUES ($task_id, $unit_id, $chased_on, $way, $note, $chased_by, $created_at)
RETURNING chase_id
