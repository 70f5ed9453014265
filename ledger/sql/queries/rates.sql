-- 按期办结率 of the tasks in scope as of $as_of, in both deadline views, with the counts behind
-- it (rated_tasks_in_scope and on_time_rate, migrations/015_rates_and_queues.sql).
SELECT
    count(*) FILTER (WHERE rate_done)::INTEGER AS done,
    count(*) FILTER (WHERE on_time_approved)::INTEGER AS on_time_approved,
    count(*) FILTER (WHERE late_open_approved)::INTEGER AS late_open_approved,
    count(*) FILTER (WHERE on_time_original)::INTEGER AS on_time_original,
    count(*) FILTER (WHERE late_open_original)::INTEGER AS late_open_original,
    count(*) FILTER (WHERE filed_late)::INTEGER AS filed_late,
    on_time_rate(count(*) FILTER (WHERE on_time_approved), count(*) FILTER (WHERE rate_done),
                 count(*) FILTER (WHERE late_open_approved)) AS rate_approved,
    on_time_rate(count(*) FILTER (WHERE on_time_original), count(*) FILTER (WHERE rate_done),
                 count(*) FILTER (WHERE late_open_original)) AS rate_original
FROM rated_tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders)
