-- 整改 to the end (issue 11): the 回头看 (look-back) of every closed rectification, its result,
-- and the rebounds that reopen an item. ledger/rectification.py writes it.

-- 回头看: one row per look-back, so the history shows every round. A round starts when the
-- task is closed (closed_date: the closing looked back at) and ends with its look-back:
--   consolidated  巩固  the result held; the task stays closed
--   rebounded     反弹  the problem is back; the task was reopened with new_deadline
CREATE SEQUENCE lookback_ids;
CREATE TABLE lookbacks (
    lookback_id       INTEGER PRIMARY KEY DEFAULT nextval('lookback_ids'),
    task_id           INTEGER NOT NULL,
    lookback_date     DATE NOT NULL,
    result            VARCHAR NOT NULL CHECK (result IN ('consolidated', 'rebounded')),
    note              VARCHAR,
    closed_date       DATE,            -- the closing this look-back checked
    previous_deadline DATE,            -- 反弹: the deadline before the new one
    new_deadline      DATE,            -- 反弹: the deadline of the reopened item
    recorded_by       VARCHAR NOT NULL,  -- username
    created_at        TIMESTAMP NOT NULL
);

-- Look-back results written before this table (rectifications.lookback_date / lookback_result /
-- rebounded, which nothing but hand-written SQL ever set) become rows of it.
INSERT INTO lookbacks (task_id, lookback_date, result, note, recorded_by, created_at)
SELECT r.task_id, coalesce(r.lookback_date, r.lookback_due, t.closed_date, t.assigned_date),
       CASE WHEN r.rebounded THEN 'rebounded' ELSE 'consolidated' END, r.lookback_result, 'system',
       current_localtimestamp()
FROM rectifications r JOIN tasks t USING (task_id)
WHERE r.rebounded OR r.lookback_date IS NOT NULL;

ALTER TABLE rectifications DROP COLUMN lookback_date;
ALTER TABLE rectifications DROP COLUMN lookback_result;
ALTER TABLE rectifications DROP COLUMN rebounded;
-- rectifications.lookback_due stays: a 回头看时限 set for one item, which wins over the default.

-- How long after closing a rectification its 回头看 falls due.
INSERT OR IGNORE INTO settings VALUES ('lookback_months', '3');


-- The rectification status (整改情况), from the task's status (task_status), the one place its
-- criteria live (pages/rectification.py writes them out for the reader):
--   rectified     已整改    办结销号 on or before the date (a later 反弹 reopens the item)
--   ongoing       持续整改  open, long-running: no fixed deadline, a plan reported on a cycle
--   unrectified   未整改    open and past its (extended) deadline
--   in_progress   整改中    open, within its deadline
-- NULL for a cancelled item (已撤销 is no rectification result).
CREATE OR REPLACE MACRO rectification_status(status) AS
CASE
    WHEN is_done(status) THEN 'rectified'
    WHEN status = 'long_term' THEN 'ongoing'
    WHEN status = 'overdue' THEN 'unrectified'
    WHEN status IN ('on_track', 'due_soon') THEN 'in_progress'
END;


-- The 回头看 of every rectification task (its source's kind is a rectification kind) as of
-- as_of, computed from the closing date, never stored by the writers that close a task:
-- lookback_due is the item's own 回头看时限 if one was set, else closed_date + the setting
-- lookback_months, for a task closed on or before as_of. The round's look-back is the latest
-- one dated on or after that closing; awaiting_lookback: closed, the round's look-back not done
-- yet; lookback_pending (待回头看): awaiting and due by as_of.
-- lookback_date / lookback_result / lookback_note: the latest look-back by as_of, any round;
-- lookbacks and rebounds count every round.
CREATE OR REPLACE MACRO lookback_state(as_of) AS TABLE
WITH
months AS (
    SELECT coalesce(max(TRY_CAST(value AS INTEGER)), 3) AS n FROM settings WHERE key = 'lookback_months'
),
rectification_tasks AS (
    SELECT t.task_id,
           CASE WHEN t.lifecycle = 'closed' AND t.closed_date <= as_of::DATE THEN t.closed_date END AS closed_on,
           r.lookback_due AS set_due
    FROM tasks t
    JOIN sources s USING (source_id)
    JOIN source_kinds k ON k.kind = s.kind
    LEFT JOIN rectifications r USING (task_id)
    WHERE k.is_rectification AND t.assigned_date <= as_of::DATE
),
done AS (
    SELECT task_id,
           count(*) AS lookbacks,
           count(*) FILTER (WHERE result = 'rebounded') AS rebounds,
           arg_max(lookback_date, (lookback_date, lookback_id)) AS lookback_date,
           arg_max(result, (lookback_date, lookback_id)) AS lookback_result,
           arg_max(note, (lookback_date, lookback_id)) AS lookback_note
    FROM lookbacks
    WHERE lookback_date <= as_of::DATE
    GROUP BY task_id
),
state AS (
    SELECT
        r.task_id,
        CASE WHEN r.closed_on IS NOT NULL
             THEN coalesce(r.set_due, CAST(r.closed_on + to_months((SELECT n FROM months)) AS DATE)) END
            AS lookback_due,
        d.lookback_date, d.lookback_result, d.lookback_note,
        coalesce(d.lookbacks, 0) AS lookbacks,
        coalesce(d.rebounds, 0) AS rebounds,
        r.closed_on IS NOT NULL
            AND coalesce(d.lookback_date < r.closed_on, true)
            AS awaiting_lookback
    FROM rectification_tasks r
    LEFT JOIN done d USING (task_id)
)
SELECT *, rebounds > 0 AS rebounded, awaiting_lookback AND lookback_due <= as_of::DATE AS lookback_pending
FROM state;
