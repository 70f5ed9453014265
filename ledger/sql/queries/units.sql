-- 单位排名: per unit, the tasks in scope it leads (牵头) and co-handles (配合), how many are
-- overdue, 按期办结率 = 按期办结 / 已办结, the average calendar and working days from
-- assignment to closing, and the extensions requested up to $as_of for the tasks it leads.
-- $units narrows the units listed; $in_charge_of ('' = any) keeps the units one leader 分管.
WITH
scope AS (
    SELECT * FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders)
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
        count(*) FILTER (WHERE status = 'done_on_time') AS done_on_time,
        count(*) FILTER (WHERE status = 'done_late') AS done_late,
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
)
SELECT
    u.name AS unit, u.kind AS unit_kind, l.name AS leader_in_charge,
    p.tasks::INTEGER AS tasks, coalesce(co.co_tasks, 0)::INTEGER AS co_tasks,
    p.overdue::INTEGER AS overdue, p.due_soon::INTEGER AS due_soon, p.on_track::INTEGER AS on_track,
    p.long_term::INTEGER AS long_term, p.done_on_time::INTEGER AS done_on_time,
    p.done_late::INTEGER AS done_late, (p.done_on_time + p.done_late)::INTEGER AS done,
    p.done_on_time / nullif(p.done_on_time + p.done_late, 0) AS on_time_rate,
    p.overdue / p.tasks AS overdue_rate,
    p.avg_days_to_close, p.avg_workdays_to_close,
    coalesce(x.extensions, 0)::INTEGER AS extensions
FROM per_unit p
JOIN units u USING (unit_id)
LEFT JOIN leaders l ON l.leader_id = u.leader_id
LEFT JOIN co USING (unit_id)
LEFT JOIN extension_requests x USING (unit_id)
WHERE (len($units::VARCHAR[]) = 0 OR list_contains($units::VARCHAR[], u.name))
  AND ($in_charge_of = '' OR l.name = $in_charge_of)
ORDER BY p.overdue DESC, p.tasks DESC, u.name
