INSERT INTO unit_notices (unit_id, noticed_on, kind, task_ids, note, recorded_by, created_at)
VALUES ($unit_id, $noticed_on, $kind, $task_ids, $note, $recorded_by, $created_at)
RETURNING notice_id
