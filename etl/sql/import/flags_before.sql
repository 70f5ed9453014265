-- The flags and kept columns the ledger holds for the tasks in `listed_tasks` (task_id), each
-- as one text a person reads (flags: their texts joined by ；, in order found; kept columns:
-- 列名：值 joined by ；, in the list's order), NULL for none; with the task's 督办编号.
SELECT t.task_id, t.code,
       (SELECT string_agg(f.text, '；' ORDER BY f.seq) FROM task_flags f
        WHERE f.task_id = t.task_id) AS flags,
       (SELECT string_agg(k.name || '：' || k.value, '；' ORDER BY k.position) FROM task_kept_columns k
        WHERE k.task_id = t.task_id) AS kept_columns
FROM tasks t
WHERE t.task_id IN (SELECT task_id FROM listed_tasks)
