-- How many audit entries the ledger (cur, attached read-only) holds that were written after
-- the backup (main) was taken, and the time span they cover.
SELECT count(*) AS entries, min(logged_at) AS first_at, max(logged_at) AS last_at
FROM cur.main.audit_log
WHERE audit_id > (SELECT coalesce(max(audit_id), 0) FROM main.audit_log)
