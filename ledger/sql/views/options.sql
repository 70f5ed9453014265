-- The choices the sidebar filters offer: only what the viewer's tasks (visible_tasks.sql) hold.

-- name: kinds
SELECT k.kind, k.label
FROM source_kinds k
WHERE k.kind IN (
    SELECT src.kind FROM sources src JOIN tasks t USING (source_id)
    WHERE t.task_id IN ({visible_tasks})
)
ORDER BY k.sort_order;

-- name: sources
SELECT source_id, kind, title, date
FROM sources
WHERE source_id IN (SELECT source_id FROM tasks WHERE task_id IN ({visible_tasks}))
ORDER BY date DESC, title;

-- name: units
SELECT u.name, count(*) AS tasks
FROM units u
JOIN task_units tu ON tu.unit_id = u.unit_id AND tu.role = 'lead'
WHERE tu.task_id IN ({visible_tasks})
GROUP BY u.name
ORDER BY tasks DESC, u.name;

-- name: leaders
SELECT name
FROM leaders
WHERE $see_all::BOOLEAN
   OR leader_id IN (SELECT leader_id FROM tasks WHERE task_id IN ({visible_tasks}))
ORDER BY is_principal DESC, rank NULLS LAST, leader_id;

-- name: soon
SELECT coalesce(max(CAST(value AS INTEGER)), 5) AS soon
FROM settings
WHERE key = 'due_soon_workdays';
