-- The relations every query shares, defined once in the database (issue 8). A query file is
-- one statement that calls these; nothing is spliced in as text. Table macros are expanded
-- into the calling statement, so DuckDB optimises each use as if it were written inline.
--
-- A later migration that changes one of these must CREATE OR REPLACE it.
--
-- Macro parameters take priority over column names inside a macro body: no table macro below
-- has a parameter named like a column it reads (status_rule reads no column at all).


-- 延期 in force: per task, the new deadline of its latest extension approved by as_of. The
-- task keeps its original deadline; this one wins for status and for further requests.
CREATE OR REPLACE MACRO approved_extensions(as_of) AS TABLE
SELECT task_id, arg_max(new_deadline, extension_id) AS new_deadline
FROM extensions
WHERE decision = 'approved' AND coalesce(decided_date, requested_date) <= as_of::DATE
GROUP BY task_id;


-- The status rule, for tasks and milestones alike (ledger.vocabulary / STATUS_LABELS name
-- the codes):
--
--   cancelled     已撤销   cancelled on or before as_of
--   done_on_time  按期办结 finished on or before as_of, by the (extended) deadline
--   done_late     逾期办结 finished on or before as_of, after it
--   long_term     长期/持续 no date to check against
--   overdue       逾期     open, as_of is after the date checked (overdue starts the day after)
--   due_soon      临期     open, the date checked is within `soon` working days of as_of
--   on_track      正常推进 open, a fixed deadline further away
--   long_term     长期/持续 open, a report cycle whose next report is further away
--
-- cancelled_on / finished_on: the day the item was cancelled or finished, NULL if it was not;
-- due_date: the deadline finishing is judged against; check_date: the date an open item is
-- judged against (the deadline, or the next report date of a cycle); workdays_left: working
-- days from as_of to check_date; fixed: whether check_date is a fixed deadline.
CREATE OR REPLACE MACRO status_rule(as_of, soon, cancelled_on, finished_on, due_date, check_date, workdays_left, fixed) AS
CASE
    WHEN cancelled_on <= as_of::DATE THEN 'cancelled'
    WHEN finished_on <= as_of::DATE THEN
        CASE WHEN due_date IS NULL OR finished_on <= due_date THEN 'done_on_time' ELSE 'done_late' END
    WHEN check_date IS NULL THEN 'long_term'
    WHEN as_of::DATE > check_date THEN 'overdue'
    WHEN workdays_left <= soon THEN 'due_soon'
    WHEN fixed THEN 'on_track'
    ELSE 'long_term'
END;


-- The status of every task as of as_of: computed on demand, never stored. A task with a
-- fixed deadline is checked against it (an approved extension wins); a task with a report
-- cycle, once progress reports exist, against its next report date. Tasks assigned after
-- as_of do not exist yet on that day and are left out. soon: the 临期 window in working days.
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
        CASE WHEN n.deadline_kind = 'date' THEN n.due_date ELSE n.report_due END AS check_date
    FROM next_report n
),
judged AS (
    SELECT
        c.*,
        status_rule(
            as_of, soon,
            CASE WHEN c.lifecycle = 'cancelled' THEN c.cancelled_date END,
            CASE WHEN c.lifecycle = 'closed' THEN c.closed_date END,
            c.due_date, c.check_date, cal.workday_seq - a.as_of_seq, c.deadline_kind = 'date'
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


-- The status of every milestone as of as_of, by the same rule as a task's. A milestone is
-- finished when it has its own done date, or when its task was closed; it is cancelled with
-- its task.
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
        d.finished, d.deadline, d.deadline, cal.workday_seq - a.as_of_seq, true
    ) AS status
FROM done d
CROSS JOIN as_of_day a
LEFT JOIN calendar cal ON cal.day = d.deadline;


-- The tasks a user may see (the rules in ledger/access.py), whole rows: every task for the
-- office and the principal leader (see_all); for a leader, the tasks they are responsible for
-- or issued and those of the units they are in charge of (分管); for a unit, the tasks it
-- leads or co-handles. The arguments are ledger.access.viewer_params: see_all BOOLEAN,
-- viewer_units INTEGER[], viewer_leader INTEGER (NULL unless the user is a leader).
-- The lookups say NOT see_all so that, for a viewer who sees everything, DuckDB folds them
-- to nothing instead of scanning task_units.
CREATE OR REPLACE MACRO visible_tasks(see_all, viewer_units, viewer_leader) AS TABLE
SELECT t.*
FROM tasks t
WHERE see_all::BOOLEAN
   OR t.leader_id = viewer_leader::INTEGER
   OR t.source_id IN (
        SELECT src.source_id
        FROM sources src
        WHERE NOT see_all::BOOLEAN AND src.leader_id = viewer_leader::INTEGER
   )
   OR t.task_id IN (
        SELECT tu.task_id
        FROM task_units tu JOIN units u USING (unit_id)
        WHERE NOT see_all::BOOLEAN
          AND (list_contains(viewer_units::INTEGER[], tu.unit_id) OR u.leader_id = viewer_leader::INTEGER)
   );


-- The units of the tasks task_ids (INTEGER[]) by name, in the order written: lead_units (牵头)
-- and co_units (配合) as lists, and as the office writes them in one cell, joined by 、 (NULL
-- when there are none). The ids come in as a list, e.g. (SELECT list(task_id) FROM page), so
-- that only those tasks' units are read and aggregated, whatever the caller's plan: a view
-- joined to a page of 2,000 tasks aggregated all 1,000,000 tasks' units first.
CREATE OR REPLACE MACRO task_unit_names(task_ids) AS TABLE
SELECT
    task_id, lead_units, co_units,
    array_to_string(lead_units, '、') AS lead_units_text,
    array_to_string(co_units, '、') AS co_units_text
FROM (
    SELECT tu.task_id,
           list(u.name ORDER BY tu.position) FILTER (WHERE tu.role = 'lead') AS lead_units,
           list(u.name ORDER BY tu.position) FILTER (WHERE tu.role = 'co') AS co_units
    FROM task_units tu JOIN units u USING (unit_id)
    WHERE tu.task_id IN (SELECT unnest(task_ids::INTEGER[]))
    GROUP BY tu.task_id
);


-- The tasks in scope on a dashboard page: the tasks the viewer may see (visible_tasks), with
-- their status as of as_of (task_status), source and responsible leader, narrowed by the
-- sidebar's filters; an empty filter list means "all". only_kinds: source kind codes,
-- only_sources: source ids, only_units: lead unit names, only_leaders: responsible leaders.
CREATE OR REPLACE MACRO tasks_in_scope(
    as_of, soon, see_all, viewer_units, viewer_leader, only_kinds, only_sources, only_units, only_leaders
) AS TABLE
SELECT
    s.*,
    src.kind AS source_kind,
    k.label AS source_kind_label,
    k.sort_order AS kind_order,
    src.title AS source,
    src.date AS source_date,
    src.number AS source_number,
    src.leader_id AS issuer_id,
    l.name AS leader
FROM task_status(as_of, soon) s
JOIN sources src USING (source_id)
JOIN source_kinds k ON k.kind = src.kind
LEFT JOIN leaders l ON l.leader_id = s.leader_id
-- For a viewer who sees everything the subquery is empty by a constant (NOT see_all), so
-- DuckDB skips building a million-row semi-join that would filter nothing out.
WHERE (see_all::BOOLEAN OR s.task_id IN (
        SELECT v.task_id FROM visible_tasks(see_all, viewer_units, viewer_leader) v WHERE NOT see_all::BOOLEAN
  ))
  AND (len(only_kinds::VARCHAR[]) = 0 OR list_contains(only_kinds::VARCHAR[], src.kind))
  AND (len(only_sources::INTEGER[]) = 0 OR list_contains(only_sources::INTEGER[], s.source_id))
  AND (len(only_leaders::VARCHAR[]) = 0 OR list_contains(only_leaders::VARCHAR[], l.name))
  AND (len(only_units::VARCHAR[]) = 0 OR s.task_id IN (
        SELECT tu.task_id
        FROM task_units tu JOIN units u USING (unit_id)
        WHERE tu.role = 'lead' AND list_contains(only_units::VARCHAR[], u.name)
  ));
