-- 任务台账: tasks in scope whose code, content, category, source, deadline, leader or any unit
-- contains $query (case-insensitive, taken literally: no wildcards), with status in $statuses
-- (empty: any). At most $limit rows, by code; `matches` is the count before the limit.
WITH
unit_hits AS (
    SELECT DISTINCT tu.task_id
    FROM task_units tu JOIN units u USING (unit_id)
    WHERE $query <> '' AND contains(lower(u.name), lower($query))
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
    p.leader, p.assigned_date, p.closed_date, p.overdue_workdays, p.last_report_date, p.matches::INTEGER AS matches
FROM page p
LEFT JOIN task_unit_names((SELECT list(task_id) FROM page)) un USING (task_id)
ORDER BY p.code
