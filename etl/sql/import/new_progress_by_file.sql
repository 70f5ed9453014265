-- How many reports (task, text) of `reports` each file adds to what the ledger has.
SELECT _file, count(DISTINCT (task_id, text))
FROM reports r
WHERE text IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM progress p WHERE p.task_id = r.task_id AND p.text = r.text)
GROUP BY _file
