-- Every task with its status as of $as_of, its source and its units, for listings and the
-- CLI's `status --tasks`. Parameters: $as_of DATE, $soon INTEGER.
WITH
status AS (
    {task_status}
),
unit_lists AS (
    SELECT tu.task_id,
           list(u.name ORDER BY tu.position) FILTER (WHERE tu.role = 'lead') AS lead_units,
           list(u.name ORDER BY tu.position) FILTER (WHERE tu.role = 'co') AS co_units
    FROM task_units tu JOIN units u USING (unit_id)
    GROUP BY tu.task_id
)
SELECT
    s.task_id, s.code, src.title AS source, src.kind AS source_kind, k.label AS source_kind_label,
    src.date AS source_date, s.item, s.category, s.content, s.status, s.deadline_kind, s.due_date AS deadline,
    s.deadline AS original_deadline, s.deadline_text, s.deadline_note, s.report_cycle,
    coalesce(ul.lead_units, []) AS lead_units, coalesce(ul.co_units, []) AS co_units,
    l.name AS leader, s.assigned_date, s.closed_date, s.overdue_workdays, s.overdue_days, s.check_date,
    s.last_report_date
FROM status s
JOIN sources src USING (source_id)
JOIN source_kinds k ON k.kind = src.kind
LEFT JOIN unit_lists ul USING (task_id)
LEFT JOIN leaders l ON l.leader_id = s.leader_id
ORDER BY s.code
