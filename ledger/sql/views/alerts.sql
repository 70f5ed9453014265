-- The red (逾期) or amber (临期) list: tasks in scope with status $status, grouped by lead unit
-- ($group_by = 'unit': a task with two lead units is listed under each), by responsible leader
-- ('leader') or not at all ('none'). Groups with the most items come first; within a group the
-- longest overdue (or, for 临期, the nearest deadline) first. At most $limit rows.
WITH
scope AS ({scope}),
as_of_day AS (
    SELECT workday_seq AS seq FROM calendar WHERE day = $as_of::DATE
),
picked AS (
    SELECT s.*, cal.workday_seq - a.seq AS workdays_left
    FROM scope s
    CROSS JOIN as_of_day a
    LEFT JOIN calendar cal ON cal.day = s.check_date
    WHERE s.status = $status
),
grouped AS (
    SELECT p.*, g.group_name
    FROM picked p
    JOIN (
        SELECT tu.task_id, u.name AS group_name
        FROM task_units tu JOIN units u USING (unit_id)
        WHERE $group_by = 'unit' AND tu.role = 'lead'
          AND (len($units::VARCHAR[]) = 0 OR list_contains($units::VARCHAR[], u.name))
        UNION ALL
        SELECT task_id, coalesce(leader, '（未明确责任领导）') FROM picked WHERE $group_by = 'leader'
        UNION ALL
        SELECT task_id, NULL FROM picked WHERE $group_by = 'none'
    ) g USING (task_id)
),
ranked AS (
    SELECT *, count(*) OVER (PARTITION BY group_name) AS group_size
    FROM grouped
),
page AS (
    SELECT *
    FROM ranked
    ORDER BY group_size DESC, group_name, overdue_workdays DESC, workdays_left, code
    LIMIT $limit
),
unit_names AS (
    SELECT tu.task_id,
           string_agg(u.name, '、' ORDER BY tu.position) FILTER (WHERE tu.role = 'lead') AS lead_units,
           string_agg(u.name, '、' ORDER BY tu.position) FILTER (WHERE tu.role = 'co') AS co_units
    FROM task_units tu JOIN units u USING (unit_id)
    WHERE tu.task_id IN (SELECT task_id FROM page)
    GROUP BY tu.task_id
),
last_report AS (
    SELECT task_id,
           arg_max(text, (report_date, progress_id)) AS last_progress,
           max(report_date) AS last_progress_date
    FROM progress
    WHERE report_date <= $as_of::DATE AND task_id IN (SELECT task_id FROM page)
    GROUP BY task_id
)
SELECT
    p.group_name, p.code, p.source_kind_label, p.source, p.content, p.status, p.deadline_text,
    p.check_date AS due_date, un.lead_units, un.co_units, p.leader, p.overdue_workdays,
    p.workdays_left, r.last_progress, r.last_progress_date
FROM page p
LEFT JOIN unit_names un USING (task_id)
LEFT JOIN last_report r USING (task_id)
ORDER BY p.group_size DESC, p.group_name, p.overdue_workdays DESC, p.workdays_left, p.code
