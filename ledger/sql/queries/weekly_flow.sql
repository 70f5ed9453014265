-- Tasks assigned (新增) and closed (办结) per week, for the $weeks weeks up to $as_of.
-- Weeks start on Monday; a week with nothing in it is still listed, with zeros.
WITH
scope AS (
    SELECT * FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders)
),
weeks AS (
    SELECT CAST(week AS DATE) AS week
    FROM range(
        date_trunc('week', $as_of::DATE) - to_weeks($weeks - 1),
        date_trunc('week', $as_of::DATE) + INTERVAL 1 WEEK,
        INTERVAL 1 WEEK
    ) AS r(week)
),
assigned AS (
    SELECT CAST(date_trunc('week', assigned_date) AS DATE) AS week, count(*) AS n
    FROM scope GROUP BY 1
),
closed AS (
    SELECT CAST(date_trunc('week', closed_date) AS DATE) AS week, count(*) AS n
    FROM scope WHERE is_done(status) GROUP BY 1
)
SELECT w.week, coalesce(a.n, 0)::INTEGER AS assigned, coalesce(c.n, 0)::INTEGER AS closed
FROM weeks w
LEFT JOIN assigned a USING (week)
LEFT JOIN closed c USING (week)
ORDER BY w.week
