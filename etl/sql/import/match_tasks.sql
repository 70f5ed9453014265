-- The rows of `incoming_keys` (_n, code, source_id, item) that are tasks the ledger has: by
-- 督办编号 when the row has one, else by source and 序号 (the natural key).
SELECT k._n, coalesce(by_code.task_id, by_key.task_id) AS task_id
FROM incoming_keys k
LEFT JOIN tasks by_code ON by_code.code = k.code
LEFT JOIN tasks by_key ON k.code IS NULL AND by_key.source_id = k.source_id AND by_key.item = k.item
WHERE coalesce(by_code.task_id, by_key.task_id) IS NOT NULL
