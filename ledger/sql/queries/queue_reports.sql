-- 未按期报送 / 待报送: open tasks in scope reported on a cycle (no fixed deadline, a report_cycle)
-- with the date their next report is due: one cycle after the latest report by $as_of (the
-- status rule's check_date), or one cycle after assignment when none came yet. $which =
-- 'missing': the report is late (due before $as_of); 'due': due by $week_end (late ones too).
WITH
cycled AS (
    SELECT s.* EXCLUDE (report_due),
           coalesce(s.check_date, CASE s.report_cycle
               WHEN 'weekly' THEN s.assigned_date + 7
               WHEN 'monthly' THEN CAST(s.assigned_date + INTERVAL 1 MONTH AS DATE)
               WHEN 'quarterly' THEN CAST(s.assigned_date + INTERVAL 3 MONTH AS DATE)
               WHEN 'half_yearly' THEN CAST(s.assigned_date + INTERVAL 6 MONTH AS DATE)
               WHEN 'yearly' THEN CAST(s.assigned_date + INTERVAL 12 MONTH AS DATE)
           END) AS report_due
    FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, [], [], [], []) s
    WHERE s.deadline_kind <> 'date' AND s.report_cycle IS NOT NULL
      AND NOT is_done(s.status) AND s.status <> 'cancelled'
),
picked AS (
    SELECT * FROM cycled
    WHERE ($which = 'missing' AND report_due < $as_of::DATE)
       OR ($which = 'due' AND report_due <= $week_end::DATE)
)
SELECT
    p.code, p.content, p.status, p.report_cycle, p.last_report_date, p.report_due,
    greatest(date_diff('day', p.report_due, $as_of::DATE), 0)::INTEGER AS report_days_late,
    un.lead_units_text AS lead_units, p.leader,
    claim_pending(p.task_id, p.status, $as_of) AS claim_pending
FROM picked p
LEFT JOIN task_unit_names((SELECT list(task_id) FROM picked)) un USING (task_id)
ORDER BY p.report_due, p.code
