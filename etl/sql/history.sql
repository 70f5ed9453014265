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
