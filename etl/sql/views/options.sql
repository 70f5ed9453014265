-- The choices the sidebar filters offer: only what the ledger holds.

-- name: kinds
SELECT k.kind, k.label
FROM source_kinds k
WHERE k.kind IN (SELECT kind FROM sources)
ORDER BY k.sort_order;

-- name: sources
SELECT source_id, kind, title, date
FROM sources
ORDER BY date DESC, title;

-- name: units
SELECT u.name, count(*) AS tasks
FROM units u
JOIN task_units tu ON tu.unit_id = u.unit_id AND tu.role = 'lead'
GROUP BY u.name
ORDER BY tasks DESC, u.name;

-- name: leaders
SELECT name
FROM leaders
ORDER BY is_principal DESC, rank NULLS LAST, leader_id;

-- name: soon
SELECT coalesce(max(CAST(value AS INTEGER)), 5) AS soon
FROM settings
WHERE key = 'due_soon_workdays';
