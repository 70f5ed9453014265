-- Every task with its status as of $as_of, its source and its units, for the CLI's
-- `status --tasks` (the whole ledger: the command line has no viewer).
SELECT
    s.task_id, s.code, src.title AS source, src.kind AS source_kind, k.label AS source_kind_label,
    src.date AS source_date, s.item, s.category, s.content, s.status, s.deadline_kind, s.due_date AS deadline,
    s.deadline AS original_deadline, s.deadline_text, s.deadline_note, s.report_cycle,
    coalesce(un.lead_units, []) AS lead_units, coalesce(un.co_units, []) AS co_units,
    l.name AS leader,
    -- every leader the list named, in order (张伟、李娜); the one leader where none were kept
    coalesce(tl.leaders, CASE WHEN l.name IS NULL THEN [] ELSE [l.name] END) AS leaders,
    s.assigned_date, s.closed_date, s.overdue_workdays, s.overdue_days, s.check_date,
    s.last_report_date,
    -- 已申请办结（待核查）: an open task whose completion claim, made by $as_of, waits for 核查.
    claim_pending(s.task_id, s.status, $as_of) AS claim_pending,
    -- 催办 recorded by $as_of
    coalesce(ch.chases, 0)::INTEGER AS chases,
    s.cancel_reason, s.superseded_by
FROM task_status($as_of, $soon) s
JOIN sources src USING (source_id)
JOIN source_kinds k ON k.kind = src.kind
LEFT JOIN task_unit_names((SELECT list(task_id) FROM tasks)) un USING (task_id)
LEFT JOIN leaders l ON l.leader_id = s.leader_id
LEFT JOIN (
    SELECT tl.task_id, list(ll.name ORDER BY tl.position) AS leaders
    FROM task_leaders tl JOIN leaders ll USING (leader_id)
    GROUP BY tl.task_id
) tl USING (task_id)
LEFT JOIN (
    SELECT task_id, count(*) AS chases FROM chases WHERE chased_on <= $as_of::DATE GROUP BY task_id
) ch USING (task_id)
ORDER BY s.code
