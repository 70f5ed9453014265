-- The status of every milestone as of $as_of, on the same rules as a task's
-- (see task_status.sql). A milestone is done when it has its own done date, or when its
-- task was closed.
-- Parameters: $as_of DATE, $soon INTEGER.
WITH
as_of_day AS (
    SELECT workday_seq AS seq FROM calendar WHERE day = $as_of::DATE
),
done AS (
    SELECT m.*, t.lifecycle, t.cancelled_date,
           CASE WHEN m.done_date <= $as_of::DATE THEN m.done_date
                WHEN t.lifecycle = 'closed' AND t.closed_date <= $as_of::DATE THEN t.closed_date
           END AS finished
    FROM milestones m JOIN tasks t USING (task_id)
)
SELECT
    d.milestone_id, d.task_id, d.seq, d.text, d.deadline, d.finished,
    CASE
        WHEN d.lifecycle = 'cancelled' AND d.cancelled_date <= $as_of::DATE THEN 'cancelled'
        WHEN d.finished IS NOT NULL THEN
            CASE WHEN d.deadline IS NULL OR d.finished <= d.deadline THEN 'done_on_time' ELSE 'done_late' END
        WHEN d.deadline IS NULL THEN 'long_term'
        WHEN $as_of::DATE > d.deadline THEN 'overdue'
        WHEN cal.workday_seq - a.seq <= $soon THEN 'due_soon'
        ELSE 'on_track'
    END AS status
FROM done d
CROSS JOIN as_of_day a
LEFT JOIN calendar cal ON cal.day = d.deadline
