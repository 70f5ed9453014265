-- 整改: tasks in scope with a row in rectifications, with their 整改情况 (rectification_status)
-- and their 回头看 (lookback_state) as of $as_of: both rules live in migrations/011_lookbacks.sql.
-- A look-back dated after $as_of has not happened yet on that day.
WITH
picked AS (
    SELECT s.*, r.problem_type, r.problem, r.measures, rectification_status(s.status) AS rectification_status,
           l.lookback_due, l.lookback_date, l.lookback_result, l.lookback_note, l.lookbacks, l.rebounds,
           coalesce(l.lookback_pending, false) AS lookback_pending,
           coalesce(l.awaiting_lookback, false) AS awaiting_lookback,
           coalesce(l.rebounded, false) AS rebounded
    FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders) s
    JOIN rectifications r USING (task_id)
    LEFT JOIN lookback_state($as_of) l USING (task_id)
)
SELECT
    p.code, p.source_kind, p.source_kind_label, p.kind_order, p.source, p.problem_type, p.problem,
    p.measures, p.deadline_text, p.check_date AS due_date, p.status, p.rectification_status,
    un.lead_units_text AS lead_units, p.leader,
    p.overdue_workdays, p.closed_date, p.lookback_due, p.lookback_date, p.lookback_result, p.lookback_note,
    p.lookbacks, p.rebounds, p.lookback_pending, p.awaiting_lookback, p.rebounded
FROM picked p
LEFT JOIN task_unit_names((SELECT list(task_id) FROM picked)) un USING (task_id)
ORDER BY p.kind_order, p.overdue_workdays DESC, p.code
