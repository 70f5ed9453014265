-- Progress reports: those of the task lists (`list_reports`, task known) and the rows of
-- progress files (`progress_rows`), matched by 督办编号 or by source title and 序号.
-- task_id is NULL for a progress row that names no task of the ledger.
SELECT _file, _sheet, _row, task_id, progress AS text, report_date, done, done_date,
       CAST(NULL AS VARCHAR) AS written_as
FROM list_reports
UNION ALL
SELECT p._file, p._sheet, p._row, coalesce(by_code.task_id, by_key.task_id), p.text, p.report_date, p.done,
       p.done_date, coalesce(p.code, p.source_title || ' 第' || p.item || '项')
FROM progress_rows p
LEFT JOIN tasks by_code ON by_code.code = p.code
LEFT JOIN (
    SELECT t.task_id, t.item, s.title FROM tasks t JOIN sources s USING (source_id)
) by_key ON p.code IS NULL AND by_key.title = p.source_title AND by_key.item = p.item
