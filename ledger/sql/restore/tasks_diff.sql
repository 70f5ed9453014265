-- What a restore reverts in the tasks: main is the backup (brought to the current schema), cur
-- the ledger it replaces (attached read-only). added: tasks created since the backup (they go);
-- removed: tasks the backup holds and the ledger no longer does (they come back); changed:
-- tasks in both whose row differs (their changes are undone).
WITH now_tasks AS (
    SELECT task_id, hash(t) AS row_hash FROM cur.main.tasks AS t
),
then_tasks AS (
    SELECT task_id, hash(t) AS row_hash FROM main.tasks AS t
)
SELECT
    count(*) FILTER (WHERE then_tasks.task_id IS NULL) AS added,
    count(*) FILTER (WHERE now_tasks.task_id IS NULL) AS removed,
    count(*) FILTER (WHERE now_tasks.row_hash <> then_tasks.row_hash) AS changed
FROM now_tasks
FULL JOIN then_tasks ON then_tasks.task_id = now_tasks.task_id
