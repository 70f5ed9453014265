-- The status of every task as of $as_of: computed on demand, never stored.
-- Parameters: $as_of DATE, $soon INTEGER (临期 window in working days).
--
--   cancelled     已撤销   cancelled on or before as_of
--   done_on_time  按期办结 closed on or before as_of, by the (extended) deadline
--   done_late     逾期办结 closed on or before as_of, after it
--   overdue       逾期     open, as_of is after the deadline (overdue starts the day after)
--   due_soon      临期     open, the deadline is within $soon working days of as_of
--   on_track      正常推进 open, a fixed deadline further away
--   long_term     长期/持续 no fixed deadline; once progress reports exist, a task with a report
--                          cycle is judged against its next report date instead
-- Tasks assigned after as_of do not exist yet on that day and are left out.
WITH
as_of_day AS (
    SELECT workday_seq AS seq FROM calendar WHERE day = $as_of::DATE
),
approved_extension AS (
    {approved_extensions}
),
last_report AS (
    SELECT task_id, max(report_date) AS last_report_date
    FROM progress
    WHERE report_date <= $as_of::DATE
    GROUP BY task_id
),
dated AS (
    SELECT
        t.*,
        coalesce(e.new_deadline, t.deadline) AS due_date,
        r.last_report_date,
        CASE t.report_cycle
            WHEN 'weekly' THEN 0 WHEN 'monthly' THEN 1 WHEN 'quarterly' THEN 3
            WHEN 'half_yearly' THEN 6 WHEN 'yearly' THEN 12
        END AS cycle_months
    FROM tasks t
    LEFT JOIN approved_extension e USING (task_id)
    LEFT JOIN last_report r USING (task_id)
    WHERE t.assigned_date <= $as_of::DATE
),
next_report AS (
    SELECT
        *,
        CASE
            WHEN deadline_kind = 'date' OR last_report_date IS NULL OR report_cycle IS NULL THEN NULL
            WHEN report_cycle = 'weekly' THEN last_report_date + 7
            WHEN cycle_day IS NULL THEN CAST(last_report_date + to_months(cycle_months) AS DATE)
            ELSE make_date(year(report_month), month(report_month), least(cycle_day, day(last_day(report_month))))
        END AS report_due
    FROM (
        SELECT *, CAST(date_trunc('month', last_report_date) + to_months(cycle_months) AS DATE) AS report_month
        FROM dated
    )
),
checked AS (
    SELECT
        n.* EXCLUDE (cycle_months, report_month),
        CASE WHEN deadline_kind = 'date' THEN due_date ELSE report_due END AS check_date
    FROM next_report n
),
judged AS (
    SELECT
        c.*,
        CASE
            WHEN c.lifecycle = 'cancelled' AND c.cancelled_date <= $as_of::DATE THEN 'cancelled'
            WHEN c.lifecycle = 'closed' AND c.closed_date <= $as_of::DATE THEN
                CASE WHEN c.due_date IS NULL OR c.closed_date <= c.due_date THEN 'done_on_time' ELSE 'done_late' END
            WHEN c.check_date IS NULL THEN 'long_term'
            WHEN $as_of::DATE > c.check_date THEN 'overdue'
            WHEN cal.workday_seq - a.seq <= $soon THEN 'due_soon'
            WHEN c.deadline_kind = 'date' THEN 'on_track'
            ELSE 'long_term'
        END AS status,
        a.seq - cal.workday_seq AS workdays_past_check,
        cal.covered AS check_year_covered
    FROM checked c
    CROSS JOIN as_of_day a
    LEFT JOIN calendar cal ON cal.day = c.check_date
)
SELECT
    j.* EXCLUDE (workdays_past_check),
    CASE WHEN status = 'overdue' THEN workdays_past_check ELSE 0 END AS overdue_workdays,
    CASE WHEN status = 'overdue' THEN date_diff('day', check_date, $as_of::DATE) ELSE 0 END AS overdue_days
FROM judged j
