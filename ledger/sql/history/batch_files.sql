-- The files of one import batch, with what each created, updated and warned about.
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
