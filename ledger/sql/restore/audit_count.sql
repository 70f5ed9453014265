-- The audit log's size and last entry id (the restored file's, before anything is carried over).
SELECT count(*) AS entries, coalesce(max(audit_id), 0) AS last_id FROM main.audit_log
