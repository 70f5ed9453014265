INSERT INTO units (name, kind, leader_id, is_collective, created_batch)
VALUES ($name, $kind, $leader_id, $is_collective, $batch)
