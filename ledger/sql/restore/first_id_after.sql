-- The first audit entry past $after_id (the first one a restore carried over).
SELECT min(audit_id) FROM main.audit_log WHERE audit_id > $after_id
