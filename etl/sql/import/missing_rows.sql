-- Tasks of the sources the files list (`listed_sources`: _file, source_id; sources the ledger
-- had before this import) that no row of the files matched (`matched_tasks`): reported, never
-- deleted.
SELECT m._file, s.title, t.item, t.code
FROM tasks t
JOIN sources s USING (source_id)
JOIN listed_sources m USING (source_id)
WHERE t.task_id NOT IN (SELECT task_id FROM matched_tasks)
  AND t.created_batch IS DISTINCT FROM $batch
ORDER BY m._file, s.title, t.task_id
