-- What the ledger holds of each task in `matched_tasks` (task_id), field by field as
-- ledger/task_fields.py names them: units and milestones as the text a person reads.
WITH unit_lists AS (
    SELECT task_id, lead_units_text AS lead_units, co_units_text AS co_units
    FROM task_unit_names((SELECT list(task_id) FROM matched_tasks))
),
milestone_lists AS (
    SELECT task_id,
           string_agg(text || '＠' || coalesce(CAST(deadline AS VARCHAR), ''), '；' ORDER BY seq) AS milestones
    FROM milestones
    WHERE task_id IN (SELECT task_id FROM matched_tasks)
    GROUP BY task_id
)
SELECT t.*, l.name AS leader, ul.lead_units, ul.co_units, ml.milestones, r.measures
FROM tasks t
LEFT JOIN leaders l USING (leader_id)
LEFT JOIN unit_lists ul USING (task_id)
LEFT JOIN milestone_lists ml USING (task_id)
LEFT JOIN rectifications r USING (task_id)
WHERE t.task_id IN (SELECT task_id FROM matched_tasks)
