-- The batch that imported this very file (by content) already, if any.
SELECT batch_id FROM import_files WHERE sha256 = $sha256 AND sheet = $sheet
