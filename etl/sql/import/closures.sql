-- Open tasks that a report of `reports` says are done, with the day they were: the latest
-- 办结日期 (or 填报日期, or the import's own day) any report gives.
SELECT r.task_id, t.code, max(coalesce(r.done_date, r.report_date, $today)) AS closed_date
FROM reports r JOIN tasks t USING (task_id)
WHERE r.done AND t.lifecycle = 'open'
GROUP BY r.task_id, t.code
ORDER BY min(r._file), min(r._row)
