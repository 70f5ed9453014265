-- One imported file with what it did, and its bytes as imported (zlib-compressed): what a
-- batch created is its tasks (tasks.created_batch), and the file they came from can be had again.
INSERT INTO import_files
    (batch_id, file_name, sha256, sheet, file_kind, rows, tasks_created, tasks_updated, progress_added,
     new_units, warnings, content_zlib)
VALUES ($batch, $file_name, $sha256, $sheet, $file_kind, $rows, $tasks_created, $tasks_updated,
        $progress_added, $new_units, $warnings, $content_zlib)
