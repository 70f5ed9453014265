-- 领导督办: per leader, the tasks in scope they are responsible for (tasks.leader_id), those
-- from sources they issued (sources.leader_id: 批示, 交办) and those led by the units they are
-- in charge of (units.leader_id), each with its overdue count and 按期办结率.
-- The scope is built with no leader filter; $only_leaders picks the leaders listed (empty: all).
WITH
scope AS (
    SELECT * FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders)
),
-- Each task once per leader and link to it; a task whose two lead units share a leader counts once.
linked AS (
    SELECT leader_id, 'responsible' AS link, task_id, status FROM scope WHERE leader_id IS NOT NULL
    UNION ALL
    SELECT issuer_id, 'issued', task_id, status FROM scope WHERE issuer_id IS NOT NULL
    UNION ALL
    SELECT DISTINCT u.leader_id, 'in_charge', s.task_id, s.status
    FROM units u
    JOIN task_units tu ON tu.unit_id = u.unit_id AND tu.role = 'lead'
    JOIN scope s ON s.task_id = tu.task_id
    WHERE u.leader_id IS NOT NULL
      AND (len($units::VARCHAR[]) = 0 OR list_contains($units::VARCHAR[], u.name))
),
counted AS (
    SELECT leader_id, link,
           count(*) AS tasks,
           count(*) FILTER (WHERE status = 'overdue') AS overdue,
           count(*) FILTER (WHERE status = 'due_soon') AS due_soon,
           count(*) FILTER (WHERE is_done(status)) AS done,
           count(*) FILTER (WHERE status = 'done_on_time') AS done_on_time
    FROM linked
    GROUP BY leader_id, link
),
unit_counts AS (
    SELECT leader_id, count(*) AS units FROM units WHERE leader_id IS NOT NULL GROUP BY leader_id
)
SELECT
    l.name AS leader, l.title,
    coalesce(r.tasks, 0)::INTEGER AS responsible_tasks,
    coalesce(r.overdue, 0)::INTEGER AS responsible_overdue,
    coalesce(r.due_soon, 0)::INTEGER AS responsible_due_soon,
    coalesce(r.done, 0)::INTEGER AS responsible_done,
    r.done_on_time / nullif(r.done, 0) AS responsible_on_time_rate,
    coalesce(i.tasks, 0)::INTEGER AS issued_tasks,
    coalesce(i.overdue, 0)::INTEGER AS issued_overdue,
    i.done_on_time / nullif(i.done, 0) AS issued_on_time_rate,
    coalesce(uc.units, 0)::INTEGER AS units_in_charge,
    coalesce(c.tasks, 0)::INTEGER AS unit_tasks,
    coalesce(c.overdue, 0)::INTEGER AS unit_overdue,
    c.done_on_time / nullif(c.done, 0) AS unit_on_time_rate
FROM leaders l
LEFT JOIN counted r ON r.leader_id = l.leader_id AND r.link = 'responsible'
LEFT JOIN counted i ON i.leader_id = l.leader_id AND i.link = 'issued'
LEFT JOIN counted c ON c.leader_id = l.leader_id AND c.link = 'in_charge'
LEFT JOIN unit_counts uc ON uc.leader_id = l.leader_id
WHERE (len($only_leaders::VARCHAR[]) = 0 OR list_contains($only_leaders::VARCHAR[], l.name))
  AND (r.tasks > 0 OR i.tasks > 0 OR c.tasks > 0 OR uc.units > 0)
ORDER BY l.is_principal DESC, l.rank NULLS LAST, l.leader_id
