-- 整改: tasks in scope with a row in rectifications, with their 回头看 (look-back) as of $as_of.
-- A look-back dated after $as_of has not happened yet on that day.
WITH
picked AS (
    SELECT s.*, r.problem_type, r.problem, r.measures, r.lookback_due,
           CASE WHEN r.lookback_date <= $as_of::DATE THEN r.lookback_date END AS lookback_date,
           CASE WHEN r.lookback_date <= $as_of::DATE THEN r.lookback_result END AS lookback_result,
           r.rebounded
    FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders) s
    JOIN rectifications r USING (task_id)
)
SELECT
    p.code, p.source_kind, p.source_kind_label, p.kind_order, p.source, p.problem_type, p.problem,
    p.measures, p.deadline_text, p.check_date AS due_date, p.status, un.lead_units_text AS lead_units, p.leader,
    p.overdue_workdays, p.closed_date, p.lookback_due, p.lookback_date, p.lookback_result,
    p.lookback_due IS NOT NULL AND p.lookback_due <= $as_of::DATE AND p.lookback_date IS NULL AS lookback_pending,
    p.rebounded
FROM picked p
LEFT JOIN task_unit_names((SELECT list(task_id) FROM picked)) un USING (task_id)
ORDER BY p.kind_order, p.overdue_workdays DESC, p.code
