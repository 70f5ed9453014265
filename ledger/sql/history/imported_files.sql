-- The files of one import batch as they were imported, zlib-compressed (NULL for a file
-- imported before the ledger kept files: migration 006).
SELECT file_name, sheet, sha256, content_zlib
FROM import_files
WHERE batch_id = $batch_id
ORDER BY file_name, sheet
