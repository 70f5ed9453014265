-- The leaders the ledger holds for the tasks in `listed_tasks` (task_id), as one text a person
-- reads (each as written, joined by 、 in order; NULL for none); with the task's 督办编号.
SELECT t.task_id, t.code,
       (SELECT string_agg(coalesce(tl.written, l.name), '、' ORDER BY tl.position)
        FROM task_leaders tl JOIN leaders l USING (leader_id)
        WHERE tl.task_id = t.task_id) AS leaders
FROM tasks t
WHERE t.task_id IN (SELECT task_id FROM listed_tasks)
