-- The latest 核查 of task $task_id: its result, day and note.
SELECT result, verified_date, note
FROM verifications
WHERE task_id = $task_id
ORDER BY verified_date DESC, verification_id DESC
LIMIT 1
