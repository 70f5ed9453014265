-- The import history: every batch, newest first, and the files of one batch.
-- Used by the upload page (etl/history.py).

-- name: batches
SELECT
    batch_id,
    created_at,
    created_by,
    files,
    rows,
    tasks_created,
    tasks_updated,
    progress_added
FROM import_batches
ORDER BY created_at DESC, batch_id DESC
LIMIT $limit

-- name: batch_files
SELECT
    file_name,
    sha256,
    sheet,
    file_kind,
    rows,
    tasks_created,
    tasks_updated,
    progress_added,
    new_units,
    warnings
FROM import_files
WHERE batch_id = $batch_id
ORDER BY file_name, sheet

-- name: audit
-- 操作日志: the audit trail, newest first, narrowed by day range, who, what and which item.
-- Empty text matches everything; $text searches the entity id and the values, literally.
SELECT audit_id, logged_at, actor, action, entity, entity_id, field, before, after, batch_id
FROM audit_log
WHERE logged_at >= $since::DATE
  AND logged_at < $until::DATE + INTERVAL 1 DAY
  AND ($actor = '' OR actor = $actor)
  AND (len($actions::VARCHAR[]) = 0 OR list_contains($actions::VARCHAR[], action))
  AND ($text = '' OR contains(entity_id, $text) OR contains(coalesce(before, ''), $text)
       OR contains(coalesce(after, ''), $text))
ORDER BY audit_id DESC
LIMIT $limit;

-- name: audit_choices
SELECT 'actor' AS kind, actor AS value FROM audit_log GROUP BY actor
UNION ALL
SELECT 'action', action FROM audit_log GROUP BY action
ORDER BY kind, value;
