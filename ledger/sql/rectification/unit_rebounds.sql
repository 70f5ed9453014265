-- 反弹 counts against the lead unit: per lead unit of the rectification tasks in scope, how
-- many look-backs by $as_of found a rebound, on how many items.
SELECT
    u.name AS unit,
    count(*) AS rebounds,
    count(DISTINCT lb.task_id) AS rebounded_items
FROM lookbacks lb
JOIN tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders) s
    USING (task_id)
JOIN task_units tu ON tu.task_id = lb.task_id AND tu.role = 'lead'
JOIN units u ON u.unit_id = tu.unit_id
WHERE lb.result = 'rebounded' AND lb.lookback_date <= $as_of::DATE
GROUP BY u.name
ORDER BY rebounds DESC, u.name
