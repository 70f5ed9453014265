-- Rates that do not flatter, and the display state of a claim (issue 11). No table changes:
-- macros only, read by ledger/sql/queries/ (rates.sql, units.sql, leaders.sql, the lists).


-- The tasks in scope (tasks_in_scope) with what every rate counts, in both deadline views:
--   rate_done            已办结: finished (办结) on or before as_of
--   on_time_approved     按期办结, judged by the deadline in force (an approved extension wins)
--   on_time_original     按期办结, judged by the deadline first set (tasks.deadline)
--   late_open_approved   逾期未办结, by the deadline in force
--   late_open_original   逾期未办结, by the deadline first set
--   filed_late           an extension was asked after the deadline (逾期后补办, recorded by the
--                        office, extensions.filed_late) by as_of: such a task is late in every
--                        view, whatever the extension it was granted.
-- An open item without a fixed deadline is late only when its status says so (a report cycle
-- missed: 逾期); 长期 and 未明确时限 items are never counted late for want of a date.
CREATE OR REPLACE MACRO rated_tasks_in_scope(
    as_of, soon, see_all, viewer_units, viewer_leader, only_kinds, only_sources, only_units, only_leaders
) AS TABLE
SELECT
    s.*,
    f.task_id IS NOT NULL AS filed_late,
    is_done(s.status) AS rate_done,
    s.status = 'done_on_time' AND f.task_id IS NULL AS on_time_approved,
    is_done(s.status) AND f.task_id IS NULL AND (s.deadline IS NULL OR s.closed_date <= s.deadline) AS on_time_original,
    s.status = 'overdue' OR (
        NOT is_done(s.status) AND s.status <> 'cancelled' AND s.deadline_kind = 'date'
        AND f.task_id IS NOT NULL AND as_of::DATE > s.deadline
    ) AS late_open_approved,
    s.status = 'overdue' OR (
        NOT is_done(s.status) AND s.status <> 'cancelled' AND s.deadline_kind = 'date'
        AND as_of::DATE > s.deadline
    ) AS late_open_original
FROM tasks_in_scope(as_of, soon, see_all, viewer_units, viewer_leader, only_kinds, only_sources, only_units, only_leaders) s
LEFT JOIN (
    SELECT DISTINCT e.task_id FROM extensions e WHERE e.filed_late AND e.requested_date <= as_of::DATE
) f ON f.task_id = s.task_id;


-- 按期办结率 = 按期办结 / (已办结 + 逾期未办结): the one definition of the rate, NULL when
-- nothing was due (no finished and no overdue item). The counts come from rated_tasks_in_scope
-- in the view asked for.
CREATE OR REPLACE MACRO on_time_rate(on_time, done, late_open) AS
on_time / nullif(done + late_open, 0);


-- 已申请办结（待核查）: an item not finished by as_of whose completion claim, made by as_of,
-- waits for the office's 核查. Shown beside the status, never instead of it: claimed is not done.
-- The progress rows go by a name no caller uses, since the caller's expression for of_task
-- (e.g. p.task_id) is substituted into the subquery as written.
CREATE OR REPLACE MACRO claim_pending(of_task, of_status, as_of) AS
NOT is_done(of_status) AND of_status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM progress claim_progress
    WHERE claim_progress.task_id = of_task AND claim_progress.claims_done
      AND claim_progress.claim_state = 'pending' AND claim_progress.report_date <= as_of::DATE
);
