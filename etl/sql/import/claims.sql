-- Completions a list or progress file claims (`reports` with done) for open tasks that have no
-- claim waiting for 核查 yet, when 销号 needs a passed 核查: one claim per task, with the first
-- report's text and date and the latest 办结日期 any report gives.
SELECT r.task_id, t.code,
       arg_min(coalesce(r.report_date, $today), r._file * 1000000000 + r._row) AS report_date,
       coalesce(arg_min(r.text, r._file * 1000000000 + r._row) FILTER (WHERE r.text IS NOT NULL),
                '清单标注已办结') AS text,
       max(coalesce(r.done_date, r.report_date, $today)) AS done_date
FROM reports r JOIN tasks t USING (task_id)
WHERE r.done AND t.lifecycle = 'open'
  AND NOT EXISTS (SELECT 1 FROM progress p WHERE p.task_id = r.task_id AND p.claims_done AND p.claim_state = 'pending')
GROUP BY r.task_id, t.code
ORDER BY min(r._file), min(r._row)
