-- The task with 督办编号 $code if the viewer may see it, with its current effective deadline
-- (the extension in force as of $as_of, else the deadline as assigned).
SELECT
    t.*,
    coalesce(e.new_deadline, t.deadline) AS effective_deadline,
    s.title AS source,
    l.name AS leader,
    coalesce(un.lead_units, []) AS lead_units,
    coalesce(un.co_units, []) AS co_units
FROM visible_tasks($see_all, $viewer_units, $viewer_leader) t
JOIN sources s USING (source_id)
LEFT JOIN leaders l ON l.leader_id = t.leader_id
LEFT JOIN approved_extensions($as_of) e USING (task_id)
LEFT JOIN task_unit_names((SELECT list(task_id) FROM tasks WHERE code = $code)) un USING (task_id)
WHERE t.code = $code
