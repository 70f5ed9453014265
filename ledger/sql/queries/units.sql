-- 单位排名: per unit, the tasks in scope it leads (牵头) and co-handles (配合), by status (every
-- status its column, 未明确时限 and 已撤销 included, so the columns add up to `tasks`); the
-- counts behind 按期办结率 (rated_tasks_in_scope, on_time_rate: migrations/015) in both
-- deadline views; the average calendar and working days from assignment to closing; the
-- extensions requested up to $as_of for the tasks it leads (those 逾期后补办 apart); the 催办 it
-- received on tasks in scope and its 通报/约谈 records, up to $as_of.
-- $units narrows the units listed; $in_charge_of ('' = any) keeps the units one leader 分管.
WITH
scope AS (
    SELECT * FROM rated_tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders)
),
led AS (
    SELECT tu.unit_id, s.*
    FROM scope s
    JOIN task_units tu ON tu.task_id = s.task_id AND tu.role = 'lead'
),
per_unit AS (
    SELECT
        led.unit_id,
        count(*) AS tasks,
        count(*) FILTER (WHERE status = 'overdue') AS overdue,
        count(*) FILTER (WHERE status = 'due_soon') AS due_soon,
        count(*) FILTER (WHERE status = 'on_track') AS on_track,
        count(*) FILTER (WHERE status = 'long_term') AS long_term,
        count(*) FILTER (WHERE status = 'undated') AS undated,
        count(*) FILTER (WHERE status = 'done_on_time') AS done_on_time,
        count(*) FILTER (WHERE status = 'done_late') AS done_late,
        count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
        count(*) FILTER (WHERE rate_done) AS done,
        count(*) FILTER (WHERE on_time_approved) AS on_time_approved,
        count(*) FILTER (WHERE late_open_approved) AS late_open_approved,
        count(*) FILTER (WHERE on_time_original) AS on_time_original,
        count(*) FILTER (WHERE late_open_original) AS late_open_original,
        count(*) FILTER (WHERE filed_late) AS filed_late,
        avg(date_diff('day', assigned_date, closed_date))
            FILTER (WHERE is_done(status)) AS avg_days_to_close,
        avg(closed.workday_seq - assigned.workday_seq)
            FILTER (WHERE is_done(status)) AS avg_workdays_to_close
    FROM led
    LEFT JOIN calendar assigned ON assigned.day = led.assigned_date
    LEFT JOIN calendar closed ON closed.day = led.closed_date
    GROUP BY led.unit_id
),
co AS (
    SELECT tu.unit_id, count(*) AS co_tasks
    FROM scope s
    JOIN task_units tu ON tu.task_id = s.task_id AND tu.role = 'co'
    GROUP BY tu.unit_id
),
extension_requests AS (
    SELECT led.unit_id, count(*) AS extensions
    FROM extensions e
    JOIN led USING (task_id)
    WHERE e.requested_date <= $as_of::DATE
    GROUP BY led.unit_id
),
chased AS (
    SELECT c.unit_id, count(*) AS chases, count(DISTINCT c.task_id) AS chased_tasks
    FROM chases c
    WHERE c.chased_on <= $as_of::DATE AND c.task_id IN (SELECT task_id FROM scope)
    GROUP BY c.unit_id
),
noticed AS (
    SELECT n.unit_id,
           list(n.noticed_on ORDER BY n.noticed_on, n.notice_id) AS notice_days,
           list(n.kind ORDER BY n.noticed_on, n.notice_id) AS notice_kinds
    FROM unit_notices n
    WHERE n.noticed_on <= $as_of::DATE
    GROUP BY n.unit_id
)
SELECT
    u.name AS unit, u.kind AS unit_kind, l.name AS leader_in_charge,
    p.tasks::INTEGER AS tasks, coalesce(co.co_tasks, 0)::INTEGER AS co_tasks,
    p.overdue::INTEGER AS overdue, p.due_soon::INTEGER AS due_soon, p.on_track::INTEGER AS on_track,
    p.long_term::INTEGER AS long_term, p.undated::INTEGER AS undated, p.done_on_time::INTEGER AS done_on_time,
    p.done_late::INTEGER AS done_late, p.cancelled::INTEGER AS cancelled, p.done::INTEGER AS done,
    p.on_time_approved::INTEGER AS on_time_approved, p.late_open_approved::INTEGER AS late_open_approved,
    p.on_time_original::INTEGER AS on_time_original, p.late_open_original::INTEGER AS late_open_original,
    p.filed_late::INTEGER AS filed_late,
    on_time_rate(p.on_time_approved, p.done, p.late_open_approved) AS on_time_rate,
    on_time_rate(p.on_time_original, p.done, p.late_open_original) AS on_time_rate_original,
    p.overdue / p.tasks AS overdue_rate,
    p.avg_days_to_close, p.avg_workdays_to_close,
    coalesce(x.extensions, 0)::INTEGER AS extensions,
    coalesce(ch.chases, 0)::INTEGER AS chases, coalesce(ch.chased_tasks, 0)::INTEGER AS chased_tasks,
    coalesce(nt.notice_days, []) AS notice_days, coalesce(nt.notice_kinds, []) AS notice_kinds
FROM per_unit p
JOIN units u USING (unit_id)
LEFT JOIN leaders l ON l.leader_id = u.leader_id
LEFT JOIN co USING (unit_id)
LEFT JOIN extension_requests x USING (unit_id)
LEFT JOIN chased ch USING (unit_id)
LEFT JOIN noticed nt USING (unit_id)
WHERE (len($units::VARCHAR[]) = 0 OR list_contains($units::VARCHAR[], u.name))
  AND ($in_charge_of = '' OR l.name = $in_charge_of)
ORDER BY p.overdue DESC, p.tasks DESC, u.name
