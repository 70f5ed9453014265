-- 领导督办: per leader, the tasks in scope they are responsible for (tasks.leader_id), those
-- from sources they issued (sources.leader_id: 批示, 交办) and those led by the units they are
-- in charge of (units.leader_id), each with its overdue count, the 催办 of its tasks up to
-- $as_of, and 按期办结率 in both deadline views with the counts behind it (rated_tasks_in_scope,
-- on_time_rate: migrations/015).
-- The scope is built with no leader filter; $only_leaders picks the leaders listed (empty: all).
WITH
scope AS (
    SELECT * FROM rated_tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders)
),
-- Each task once per leader and link to it; a task whose two lead units share a leader counts once.
linked AS (
    SELECT leader_id, 'responsible' AS link, task_id FROM scope WHERE leader_id IS NOT NULL
    UNION ALL
    SELECT issuer_id, 'issued', task_id FROM scope WHERE issuer_id IS NOT NULL
    UNION ALL
    SELECT DISTINCT u.leader_id, 'in_charge', s.task_id
    FROM units u
    JOIN task_units tu ON tu.unit_id = u.unit_id AND tu.role = 'lead'
    JOIN scope s ON s.task_id = tu.task_id
    WHERE u.leader_id IS NOT NULL
      AND (len($units::VARCHAR[]) = 0 OR list_contains($units::VARCHAR[], u.name))
),
task_chases AS (
    SELECT task_id, count(*) AS chases
    FROM chases
    WHERE chased_on <= $as_of::DATE AND task_id IN (SELECT task_id FROM scope)
    GROUP BY task_id
),
counted AS (
    SELECT k.leader_id, k.link,
           count(*) AS tasks,
           count(*) FILTER (WHERE s.status = 'overdue') AS overdue,
           count(*) FILTER (WHERE s.status = 'due_soon') AS due_soon,
           count(*) FILTER (WHERE s.rate_done) AS done,
           count(*) FILTER (WHERE s.on_time_approved) AS on_time_approved,
           count(*) FILTER (WHERE s.late_open_approved) AS late_open_approved,
           count(*) FILTER (WHERE s.on_time_original) AS on_time_original,
           count(*) FILTER (WHERE s.late_open_original) AS late_open_original,
           coalesce(sum(c.chases), 0) AS chases
    FROM linked k
    JOIN scope s USING (task_id)
    LEFT JOIN task_chases c USING (task_id)
    GROUP BY k.leader_id, k.link
),
unit_counts AS (
    SELECT leader_id, count(*) AS units FROM units WHERE leader_id IS NOT NULL GROUP BY leader_id
)
SELECT
    l.name AS leader, coalesce(l.title, '') AS title,
    coalesce(r.tasks, 0)::INTEGER AS responsible_tasks,
    coalesce(r.overdue, 0)::INTEGER AS responsible_overdue,
    coalesce(r.due_soon, 0)::INTEGER AS responsible_due_soon,
    coalesce(r.done, 0)::INTEGER AS responsible_done,
    coalesce(r.on_time_approved, 0)::INTEGER AS responsible_on_time_approved,
    coalesce(r.late_open_approved, 0)::INTEGER AS responsible_late_open_approved,
    coalesce(r.on_time_original, 0)::INTEGER AS responsible_on_time_original,
    coalesce(r.late_open_original, 0)::INTEGER AS responsible_late_open_original,
    coalesce(r.chases, 0)::INTEGER AS responsible_chases,
    on_time_rate(r.on_time_approved, r.done, r.late_open_approved) AS responsible_on_time_rate,
    on_time_rate(r.on_time_original, r.done, r.late_open_original) AS responsible_on_time_rate_original,
    coalesce(i.tasks, 0)::INTEGER AS issued_tasks,
    coalesce(i.overdue, 0)::INTEGER AS issued_overdue,
    coalesce(i.due_soon, 0)::INTEGER AS issued_due_soon,
    coalesce(i.done, 0)::INTEGER AS issued_done,
    coalesce(i.on_time_approved, 0)::INTEGER AS issued_on_time_approved,
    coalesce(i.late_open_approved, 0)::INTEGER AS issued_late_open_approved,
    coalesce(i.on_time_original, 0)::INTEGER AS issued_on_time_original,
    coalesce(i.late_open_original, 0)::INTEGER AS issued_late_open_original,
    coalesce(i.chases, 0)::INTEGER AS issued_chases,
    on_time_rate(i.on_time_approved, i.done, i.late_open_approved) AS issued_on_time_rate,
    on_time_rate(i.on_time_original, i.done, i.late_open_original) AS issued_on_time_rate_original,
    coalesce(c.tasks, 0)::INTEGER AS unit_tasks,
    coalesce(c.overdue, 0)::INTEGER AS unit_overdue,
    coalesce(c.due_soon, 0)::INTEGER AS unit_due_soon,
    coalesce(c.done, 0)::INTEGER AS unit_done,
    coalesce(c.on_time_approved, 0)::INTEGER AS unit_on_time_approved,
    coalesce(c.late_open_approved, 0)::INTEGER AS unit_late_open_approved,
    coalesce(c.on_time_original, 0)::INTEGER AS unit_on_time_original,
    coalesce(c.late_open_original, 0)::INTEGER AS unit_late_open_original,
    coalesce(c.chases, 0)::INTEGER AS unit_chases,
    on_time_rate(c.on_time_approved, c.done, c.late_open_approved) AS unit_on_time_rate,
    on_time_rate(c.on_time_original, c.done, c.late_open_original) AS unit_on_time_rate_original,
    coalesce(uc.units, 0)::INTEGER AS units_in_charge
FROM leaders l
LEFT JOIN counted r ON r.leader_id = l.leader_id AND r.link = 'responsible'
LEFT JOIN counted i ON i.leader_id = l.leader_id AND i.link = 'issued'
LEFT JOIN counted c ON c.leader_id = l.leader_id AND c.link = 'in_charge'
LEFT JOIN unit_counts uc ON uc.leader_id = l.leader_id
WHERE (len($only_leaders::VARCHAR[]) = 0 OR list_contains($only_leaders::VARCHAR[], l.name))
  AND (r.tasks > 0 OR i.tasks > 0 OR c.tasks > 0 OR uc.units > 0)
ORDER BY l.is_principal DESC, l.rank NULLS LAST, l.leader_id
