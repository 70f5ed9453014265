-- Tasks' leaders as an import found them (`leader_rows`: task_id, position, name, written, batch_id).
INSERT INTO task_leaders (task_id, position, leader_id, written, batch_id)
SELECT r.task_id, r.position, l.leader_id, r.written, r.batch_id
FROM leader_rows r JOIN leaders l ON l.name = r.name
