-- Tasks in scope per lead unit and status (a task with two lead units counts for both).
-- The $units filter also narrows the units listed, not only the tasks.
SELECT u.name AS unit, s.status, count(*)::INTEGER AS tasks
FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders) s
JOIN task_units tu ON tu.task_id = s.task_id AND tu.role = 'lead'
JOIN units u ON u.unit_id = tu.unit_id
WHERE len($units::VARCHAR[]) = 0 OR list_contains($units::VARCHAR[], u.name)
GROUP BY ALL
ORDER BY unit, status
