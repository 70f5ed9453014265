-- One task by its 督办编号 ($code), with its status as of $as_of and its source; nothing when
-- the viewer may not see it (visible_tasks.sql).
WITH
status AS ({task_status}),
unit_names AS (
    SELECT tu.task_id,
           string_agg(u.name, '、' ORDER BY tu.position) FILTER (WHERE tu.role = 'lead') AS lead_units,
           string_agg(u.name, '、' ORDER BY tu.position) FILTER (WHERE tu.role = 'co') AS co_units
    FROM task_units tu JOIN units u USING (unit_id)
    JOIN tasks t USING (task_id)
    WHERE t.code = $code
    GROUP BY tu.task_id
)
SELECT
    s.task_id, s.code, s.item, s.category, s.content, s.status, s.deadline_kind, s.deadline_text,
    s.deadline AS original_deadline, s.due_date, s.check_date, s.deadline_note, s.report_cycle,
    s.assigned_date, s.closed_date, s.cancelled_date, s.overdue_workdays, s.last_report_date,
    src.kind AS source_kind, k.label AS source_kind_label, src.title AS source, src.date AS source_date,
    src.number AS source_number, issuer.name AS source_leader, l.name AS leader,
    un.lead_units, un.co_units
FROM status s
JOIN sources src USING (source_id)
JOIN source_kinds k ON k.kind = src.kind
LEFT JOIN leaders l ON l.leader_id = s.leader_id
LEFT JOIN leaders issuer ON issuer.leader_id = src.leader_id
LEFT JOIN unit_names un USING (task_id)
WHERE s.code = $code
  AND s.task_id IN ({visible_tasks})
