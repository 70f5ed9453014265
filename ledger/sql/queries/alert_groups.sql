-- Per lead unit ($group_by = 'unit') or responsible leader ('leader'): how many tasks in scope
-- are 逾期 and 临期, and the longest overdue in working days. Only groups with any.
WITH
alerted AS (
    SELECT *
    FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders)
    WHERE status IN ('overdue', 'due_soon')
),
grouped AS (
    SELECT a.status, a.overdue_workdays, u.name AS group_name
    FROM alerted a
    JOIN task_units tu ON tu.task_id = a.task_id AND tu.role = 'lead'
    JOIN units u ON u.unit_id = tu.unit_id
    WHERE $group_by = 'unit' AND (len($units::VARCHAR[]) = 0 OR list_contains($units::VARCHAR[], u.name))
    UNION ALL
    SELECT status, overdue_workdays, coalesce(leader, '（未明确责任领导）')
    FROM alerted
    WHERE $group_by = 'leader'
)
SELECT
    group_name,
    count(*) FILTER (WHERE status = 'overdue')::INTEGER AS overdue,
    count(*) FILTER (WHERE status = 'due_soon')::INTEGER AS due_soon,
    max(overdue_workdays)::INTEGER AS max_overdue_workdays
FROM grouped
GROUP BY group_name
ORDER BY overdue DESC, due_soon DESC, group_name
