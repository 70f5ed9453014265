-- The import history, newest first (the upload page).
SELECT
    b.batch_id,
    b.created_at,
    b.created_by,
    n.name AS created_by_name,
    b.files,
    b.rows,
    b.tasks_created,
    b.tasks_updated,
    b.progress_added
FROM import_batches b
LEFT JOIN account_names n ON n.username = b.created_by
ORDER BY b.created_at DESC, b.batch_id DESC
LIMIT $limit
