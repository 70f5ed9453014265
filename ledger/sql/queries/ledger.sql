-- 任务台账: tasks in scope whose code, content, category, source, deadline, leader or any unit
-- contains $query (case-insensitive, taken literally: no wildcards), with status in $statuses
-- (empty: any). At most $limit rows, by code; `matches` is the count before the limit.
-- A unit is found by any of its names: as stored, its aliases (unit_aliases), and the true
-- short and full forms the catalogue gives (住建局 and 区住房和城乡建设局 find the same tasks).
WITH
unit_names AS (
    SELECT unit_id, name FROM units
    UNION ALL SELECT unit_id, alias FROM unit_aliases
    UNION ALL SELECT u.unit_id, c.alias FROM units u JOIN unit_catalog c ON c.canonical = u.name
    UNION ALL SELECT u.unit_id, c.canonical FROM units u JOIN unit_catalog c ON c.alias = u.name
    UNION ALL SELECT u.unit_id, other.alias
    FROM units u JOIN unit_catalog c ON c.alias = u.name JOIN unit_catalog other ON other.canonical = c.canonical
),
unit_hits AS (
    SELECT DISTINCT tu.task_id
    FROM task_units tu
    WHERE $query <> '' AND tu.unit_id IN (
        SELECT unit_id FROM unit_names WHERE contains(lower(name), lower($query))
    )
),
found AS (
    SELECT *
    FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders) s
    WHERE (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], s.status))
      AND (
        $query = ''
        OR contains(lower(concat_ws(' ', s.code, s.content, s.category, s.source, s.source_kind_label,
                                    s.deadline_text, s.leader)), lower($query))
        OR s.task_id IN (SELECT task_id FROM unit_hits)
      )
),
page AS (
    SELECT *, count(*) OVER () AS matches
    FROM found
    ORDER BY code
    LIMIT $limit
)
SELECT
    p.code, p.source_kind_label, p.source, p.source_date, p.item, p.category, p.content, p.status,
    p.deadline_text, p.check_date AS due_date, un.lead_units_text AS lead_units, un.co_units_text AS co_units,
    p.leader, p.assigned_date, p.closed_date, p.overdue_workdays, p.last_report_date, p.matches::INTEGER AS matches,
    claim_pending(p.task_id, p.status, $as_of) AS claim_pending
FROM page p
LEFT JOIN task_unit_names((SELECT list(task_id) FROM page)) un USING (task_id)
ORDER BY p.code
