-- 整改: tasks in scope with a row in rectifications, with their 回头看 (look-back) as of $as_of.
-- A look-back dated after $as_of has not happened yet on that day.
WITH
scope AS ({scope}),
picked AS (
    SELECT s.*, r.problem_type, r.problem, r.measures, r.lookback_due,
           CASE WHEN r.lookback_date <= $as_of::DATE THEN r.lookback_date END AS lookback_date,
           CASE WHEN r.lookback_date <= $as_of::DATE THEN r.lookback_result END AS lookback_result,
           r.rebounded
    FROM scope s
    JOIN rectifications r USING (task_id)
),
unit_names AS (
    SELECT tu.task_id,
           string_agg(u.name, '、' ORDER BY tu.position) FILTER (WHERE tu.role = 'lead') AS lead_units
    FROM task_units tu JOIN units u USING (unit_id)
    WHERE tu.task_id IN (SELECT task_id FROM picked)
    GROUP BY tu.task_id
)
SELECT
    p.code, p.source_kind, p.source_kind_label, p.kind_order, p.source, p.problem_type, p.problem,
    p.measures, p.deadline_text, p.check_date AS due_date, p.status, un.lead_units, p.leader,
    p.overdue_workdays, p.closed_date, p.lookback_due, p.lookback_date, p.lookback_result,
    p.lookback_due IS NOT NULL AND p.lookback_due <= $as_of::DATE AND p.lookback_date IS NULL AS lookback_pending,
    p.rebounded
FROM picked p
LEFT JOIN unit_names un USING (task_id)
ORDER BY p.kind_order, p.overdue_workdays DESC, p.code
