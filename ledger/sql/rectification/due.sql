-- 待回头看: rectification tasks in scope, closed, whose 回头看 is due by $as_of and not done yet,
-- the longest due first.
SELECT
    s.code, s.source_kind_label, s.source, coalesce(r.problem, s.content) AS problem, s.closed_date,
    l.lookback_due, date_diff('day', l.lookback_due, $as_of::DATE) AS days_past_due,
    un.lead_units_text AS lead_units, s.leader
FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders) s
JOIN lookback_state($as_of) l USING (task_id)
LEFT JOIN rectifications r USING (task_id)
LEFT JOIN task_unit_names((SELECT list(task_id) FROM lookback_state($as_of) WHERE lookback_pending)) un USING (task_id)
WHERE l.lookback_pending
ORDER BY l.lookback_due, s.code
