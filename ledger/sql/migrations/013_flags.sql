-- Import flags and kept columns (issue 9): import what the office has, flag what is missing.
--
-- task_flags: what an import could not read or had to assume about a task, one row per flag,
-- in the order found: kind (ledger.vocabulary.FLAG_LABELS), the column as the list names it,
-- the text quoted, and where it was written (sheet, Excel row, batch). An import that lists the
-- task again replaces its flags in the same transaction (audited as the field "flags").
CREATE TABLE task_flags (
    task_id     INTEGER NOT NULL,
    seq         INTEGER NOT NULL,      -- order found, from 1
    kind        VARCHAR NOT NULL,
    column_name VARCHAR,               -- the column as written in the list; NULL for the row
    text        VARCHAR NOT NULL,      -- for the clerk, quoting what was written
    sheet       VARCHAR,               -- NULL for CSV
    excel_row   INTEGER,
    batch_id    VARCHAR NOT NULL
);

-- task_kept_columns: the columns of a list the importer does not know (a level, a status, a
-- completion note, the carrier of a directive), kept per task as written, in the list's order.
CREATE TABLE task_kept_columns (
    task_id  INTEGER NOT NULL,
    position INTEGER NOT NULL,         -- the column's order in the list, from 1
    name     VARCHAR NOT NULL,         -- the header as written
    value    VARCHAR NOT NULL,
    batch_id VARCHAR NOT NULL
);


-- The status rule gains `undated` (未明确时限): an open task whose deadline the list does not
-- give (deadline_kind 'none'). It is open, never overdue, and counted apart, like 长期/持续.
--
--   cancelled     已撤销   cancelled on or before as_of
--   done_on_time  按期办结 finished on or before as_of, by the (extended) deadline
--   done_late     逾期办结 finished on or before as_of, after it
--   undated       未明确时限 open, no deadline given (an approved extension gives one)
--   long_term     长期/持续 no date to check against
--   overdue       逾期     open, as_of is after the date checked (overdue starts the day after)
--   due_soon      临期     open, the date checked is within `soon` working days of as_of
--   on_track      正常推进 open, a fixed deadline further away
--   long_term     长期/持续 open, a report cycle whose next report is further away
CREATE OR REPLACE MACRO status_rule(as_of, soon, cancelled_on, finished_on, due_date, check_date, workdays_left, fixed, undated) AS
CASE
    WHEN cancelled_on <= as_of::DATE THEN 'cancelled'
    WHEN finished_on <= as_of::DATE THEN
        CASE WHEN due_date IS NULL OR finished_on <= due_date THEN 'done_on_time' ELSE 'done_late' END
    WHEN check_date IS NULL AND undated THEN 'undated'
    WHEN check_date IS NULL THEN 'long_term'
    WHEN as_of::DATE > check_date THEN 'overdue'
    WHEN workdays_left <= soon THEN 'due_soon'
    WHEN fixed THEN 'on_track'
    ELSE 'long_term'
END;


-- As 005 defines it, but for the undated tasks: a task without a deadline (kind 'none') is
-- checked against an approved extension's date if it has one (then as a fixed date), and is
-- 未明确时限 otherwise.
CREATE OR REPLACE MACRO task_status(as_of, soon) AS TABLE
WITH
as_of_day AS (
    SELECT workday_seq AS as_of_seq FROM calendar WHERE day = as_of::DATE
),
last_report AS (
    SELECT task_id, max(report_date) AS last_report_date
    FROM progress
    WHERE report_date <= as_of::DATE
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
    LEFT JOIN approved_extensions(as_of) e USING (task_id)
    LEFT JOIN last_report r USING (task_id)
    WHERE t.assigned_date <= as_of::DATE
),
next_report AS (
    SELECT
        *,
        CASE
            WHEN deadline_kind IN ('date', 'none') OR last_report_date IS NULL OR report_cycle IS NULL THEN NULL
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
        CASE WHEN n.deadline_kind IN ('date', 'none') THEN n.due_date ELSE n.report_due END AS check_date
    FROM next_report n
),
judged AS (
    SELECT
        c.*,
        status_rule(
            as_of, soon,
            CASE WHEN c.lifecycle = 'cancelled' THEN c.cancelled_date END,
            CASE WHEN c.lifecycle = 'closed' THEN c.closed_date END,
            c.due_date, c.check_date, cal.workday_seq - a.as_of_seq,
            c.deadline_kind = 'date' OR (c.deadline_kind = 'none' AND c.due_date IS NOT NULL),
            c.deadline_kind = 'none'
        ) AS status,
        cal.workday_seq - a.as_of_seq AS workdays_left,
        cal.covered AS check_year_covered
    FROM checked c
    CROSS JOIN as_of_day a
    LEFT JOIN calendar cal ON cal.day = c.check_date
)
SELECT
    j.*,
    CASE WHEN j.status = 'overdue' THEN -j.workdays_left ELSE 0 END AS overdue_workdays,
    CASE WHEN j.status = 'overdue' THEN date_diff('day', j.check_date, as_of::DATE) ELSE 0 END AS overdue_days
FROM judged j;


-- As 005 defines it, with status_rule's new argument: a milestone always has its own date
-- (or none, then 长期/持续 as before).
CREATE OR REPLACE MACRO milestone_status(as_of, soon) AS TABLE
WITH
as_of_day AS (
    SELECT workday_seq AS as_of_seq FROM calendar WHERE day = as_of::DATE
),
done AS (
    SELECT m.*, t.lifecycle, t.cancelled_date,
           CASE WHEN m.done_date <= as_of::DATE THEN m.done_date
                WHEN t.lifecycle = 'closed' AND t.closed_date <= as_of::DATE THEN t.closed_date
           END AS finished
    FROM milestones m JOIN tasks t USING (task_id)
)
SELECT
    d.milestone_id, d.task_id, d.seq, d.text, d.deadline, d.finished,
    status_rule(
        as_of, soon,
        CASE WHEN d.lifecycle = 'cancelled' THEN d.cancelled_date END,
        d.finished, d.deadline, d.deadline, cal.workday_seq - a.as_of_seq, true, false
    ) AS status
FROM done d
CROSS JOIN as_of_day a
LEFT JOIN calendar cal ON cal.day = d.deadline;


-- 整改情况 of an undated rectification: open, within no known deadline, so 整改中.
CREATE OR REPLACE MACRO rectification_status(status) AS
CASE
    WHEN is_done(status) THEN 'rectified'
    WHEN status = 'long_term' THEN 'ongoing'
    WHEN status = 'overdue' THEN 'unrectified'
    WHEN status IN ('on_track', 'due_soon', 'undated') THEN 'in_progress'
END;
