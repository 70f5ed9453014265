-- The same report (task, text) is recorded once, whichever file brings it again.
INSERT INTO progress (task_id, report_date, text, claims_done, reported_by, batch_id)
SELECT task_id, coalesce(report_date, $today), text, done, $actor, $batch
FROM (
    SELECT *, row_number() OVER (PARTITION BY task_id, text ORDER BY _file, _row) AS nth
    FROM reports
    WHERE text IS NOT NULL
) r
WHERE nth = 1
  AND NOT EXISTS (SELECT 1 FROM progress p WHERE p.task_id = r.task_id AND p.text = r.text)
