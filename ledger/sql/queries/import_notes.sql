-- Per task with any: what the import flagged (texts joined by ；, in the order found) and the
-- columns of its list kept with it (列名：值 joined by ；): the 任务台账 download's last columns.
SELECT t.code,
       (SELECT string_agg(f.text, '；' ORDER BY f.seq) FROM task_flags f WHERE f.task_id = t.task_id) AS import_flags,
       (SELECT string_agg(k.name || '：' || k.value, '；' ORDER BY k.position) FROM task_kept_columns k
        WHERE k.task_id = t.task_id) AS kept_columns
FROM tasks t
WHERE t.task_id IN (SELECT task_id FROM task_flags UNION SELECT task_id FROM task_kept_columns)
