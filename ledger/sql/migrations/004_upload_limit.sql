-- The largest file the upload page accepts, in MB (etl/intake.py checks it; the office can
-- change it here: UPDATE settings SET value = '50' WHERE key = 'max_upload_mb').
INSERT OR IGNORE INTO settings VALUES ('max_upload_mb', '20');
