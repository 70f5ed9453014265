-- The red (逾期) or amber (临期) list: tasks in scope with status $status, grouped by lead unit
-- ($group_by = 'unit': a task with two lead units is listed under each), by responsible leader
-- ('leader') or not at all ('none'). Groups with the most items come first; within a group the
-- longest overdue (or, for 临期, the nearest deadline) first. At most $limit rows.
WITH
-- Every picked row is grouped, counted and sorted, so it carries no long text: the content is
-- looked up for the page's rows only.
picked AS (
    SELECT task_id, code, source_kind_label, source, status, deadline_text, check_date, leader,
           overdue_workdays, workdays_left
    FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders)
    WHERE status = $status
),
grouped AS (
    SELECT p.*, CAST(NULL AS VARCHAR) AS group_name FROM picked p WHERE $group_by = 'none'
    UNION ALL
    SELECT p.*, coalesce(p.leader, '（未明确责任领导）') FROM picked p WHERE $group_by = 'leader'
    UNION ALL
    SELECT p.*, u.name
    FROM picked p
    JOIN task_units tu ON tu.task_id = p.task_id AND tu.role = 'lead'
    JOIN units u ON u.unit_id = tu.unit_id
    WHERE $group_by = 'unit' AND (len($units::VARCHAR[]) = 0 OR list_contains($units::VARCHAR[], u.name))
),
sizes AS (
    SELECT group_name, count(*) AS group_size FROM grouped GROUP BY group_name
),
page AS (
    SELECT g.*, z.group_size
    FROM grouped g
    JOIN sizes z ON z.group_name IS NOT DISTINCT FROM g.group_name
    ORDER BY z.group_size DESC, g.group_name, g.overdue_workdays DESC, g.workdays_left, g.code
    LIMIT $limit
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
    p.group_name, p.code, p.source_kind_label, p.source, t.content, p.status, p.deadline_text,
    p.check_date AS due_date, un.lead_units_text AS lead_units, un.co_units_text AS co_units, p.leader,
    p.overdue_workdays, p.workdays_left, r.last_progress, r.last_progress_date,
    claim_pending(p.task_id, p.status, $as_of) AS claim_pending
FROM page p
JOIN tasks t USING (task_id)
LEFT JOIN task_unit_names((SELECT list(task_id) FROM page)) un USING (task_id)
LEFT JOIN last_report r USING (task_id)
ORDER BY p.group_size DESC, p.group_name, p.overdue_workdays DESC, p.workdays_left, p.code
