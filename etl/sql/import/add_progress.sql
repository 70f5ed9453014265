-- The same report (task, text) is recorded once, whichever file brings it again. With $verify
-- (销号 needs a passed 核查) a report saying the task is done is recorded as a completion claim
-- instead (claims.sql, insert_claims.sql).
INSERT INTO progress (task_id, report_date, text, claims_done, reported_by, batch_id)
SELECT task_id, coalesce(report_date, $today), text, done, $actor, $batch
FROM (
    SELECT *, row_number() OVER (PARTITION BY task_id, text ORDER BY _file, _row) AS nth
    FROM reports
    WHERE text IS NOT NULL AND NOT (done AND $verify)
) r
WHERE nth = 1
  AND NOT EXISTS (SELECT 1 FROM progress p WHERE p.task_id = r.task_id AND p.text = r.text)
