-- The units leading any of the viewer's tasks, busiest first (sidebar filter).
SELECT u.name, count(*) AS tasks
FROM visible_tasks($see_all, $viewer_units, $viewer_leader) t
JOIN task_units tu ON tu.task_id = t.task_id AND tu.role = 'lead'
JOIN units u ON u.unit_id = tu.unit_id
GROUP BY u.name
ORDER BY tasks DESC, u.name
