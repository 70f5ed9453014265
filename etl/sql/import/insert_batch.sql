INSERT INTO import_batches
    (batch_id, created_at, created_by, files, rows, tasks_created, tasks_updated, progress_added)
VALUES ($batch, $at, $actor, $files, $rows, $tasks_created, $tasks_updated, $progress_added)
