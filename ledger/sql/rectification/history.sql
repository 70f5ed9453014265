-- Every 回头看 by $as_of of the rectification tasks in scope, each task's rounds in order:
-- the closing looked back at, the result, the note, and for a 反弹 the deadlines before and
-- after; `who` names the person (account_names).
SELECT
    s.code, s.source_kind_label, coalesce(r.problem, s.content) AS problem,
    row_number() OVER (PARTITION BY lb.task_id ORDER BY lb.lookback_date, lb.lookback_id) AS round,
    lb.closed_date AS lookback_closed_date, lb.lookback_date, lb.result AS lookback_result_code,
    lb.note AS lookback_note, lb.previous_deadline, lb.new_deadline AS rebound_deadline,
    coalesce(n.name, lb.recorded_by) AS recorded_by, un.lead_units_text AS lead_units
FROM lookbacks lb
JOIN tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders) s
    USING (task_id)
LEFT JOIN rectifications r USING (task_id)
LEFT JOIN account_names n ON n.username = lb.recorded_by
LEFT JOIN task_unit_names((SELECT list(DISTINCT task_id) FROM lookbacks)) un USING (task_id)
WHERE lb.lookback_date <= $as_of::DATE
ORDER BY s.code, round
