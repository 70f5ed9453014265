-- The largest task id: a batch's new tasks are numbered on from it (only imports create
-- tasks, and one writer at a time holds the ledger: ledger/db.py).
SELECT coalesce(max(task_id), 0) AS last_id FROM tasks
