-- One task by its 督办编号 ($code), with its status as of $as_of and its source; nothing when
-- the viewer may not see it or it was not yet assigned on $as_of.
SELECT
    s.task_id, s.code, s.item, s.category, s.content, s.status, s.deadline_kind, s.deadline_text,
    s.deadline AS original_deadline, s.due_date, s.check_date, s.deadline_note, s.report_cycle,
    s.assigned_date, s.closed_date, s.cancelled_date, s.overdue_workdays, s.overdue_days, s.last_report_date,
    s.source_kind, s.source_kind_label, s.source, s.source_date, s.source_number,
    issuer.name AS source_leader, s.leader, un.lead_units_text AS lead_units, un.co_units_text AS co_units,
    -- Every leader the list named (task_leaders), in order and as written (副区长王海、张伟); the
    -- one responsible leader where none were kept (a task entered before migration 014).
    coalesce(
        (SELECT list(coalesce(tl.written, ll.name) ORDER BY tl.position)
         FROM task_leaders tl JOIN leaders ll USING (leader_id) WHERE tl.task_id = s.task_id),
        CASE WHEN s.leader IS NULL THEN [] ELSE [s.leader] END
    ) AS leaders,
    -- 已申请办结（待核查）: open, with a completion claim made by $as_of that waits for 核查.
    s.lifecycle = 'open' AND EXISTS (
        SELECT 1 FROM progress p
        WHERE p.task_id = s.task_id AND p.claims_done AND p.claim_state = 'pending' AND p.report_date <= $as_of::DATE
    ) AS claim_pending,
    s.cancel_reason, s.superseded_by
FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, [], [], [], []) s
LEFT JOIN leaders issuer ON issuer.leader_id = s.issuer_id
LEFT JOIN task_unit_names((SELECT list(task_id) FROM tasks WHERE code = $code)) un USING (task_id)
WHERE s.code = $code
