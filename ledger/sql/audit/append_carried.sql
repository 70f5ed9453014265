-- A restore carries the replaced ledger's later history into the restored one: every entry of
-- the ledger attached as `cur` written after the backup (main) was taken (audit_id past
-- $after_id, the backup's last), appended in order with its own time, actor and values. The
-- restored file's own entries are untouched; ledger.audit.carry then writes the `carry` entry
-- that names the ids these got (操作日志 marks them 恢复前的记录). An import batch the restored
-- ledger does not hold is not named (its import_batches row stayed in the replaced file, kept
-- beside; the import entry's entity_id still names it).
INSERT INTO audit_log (logged_at, actor, action, entity, entity_id, field, before, after, batch_id)
SELECT logged_at, actor, action, entity, entity_id, field, before, after,
       CASE WHEN batch_id IN (SELECT batch_id FROM main.import_batches) THEN batch_id END
FROM cur.main.audit_log
WHERE audit_id > $after_id
ORDER BY audit_id
