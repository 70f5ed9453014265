-- The tasks in `rewritten` (task_id), to be inserted again whole (insert_tasks): an update by
-- column name, so a field added to ledger/task_fields.py needs no SQL here.
DELETE FROM tasks WHERE task_id IN (SELECT task_id FROM rewritten)
