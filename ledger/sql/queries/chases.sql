-- Every 催办 recorded on or before $as_of on a task the viewer may see: the task, the unit chased,
-- the day, and the act it belongs to (a bulk 催办 of a unit writes one row per task at the same
-- created_at, so the office's "催办 n 次" of a unit counts acts, not rows).
SELECT t.code, u.name AS unit, c.chased_on, c.created_at AS act
FROM chases c
JOIN visible_tasks($see_all, $viewer_units, $viewer_leader) t USING (task_id)
JOIN units u ON u.unit_id = c.unit_id
WHERE c.chased_on <= $as_of::DATE
ORDER BY c.chased_on, c.chase_id
