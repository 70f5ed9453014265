-- Appends the registered frame `audit_entries` (_order, action, entity, entity_id, field,
-- before, after: text, encoded by ledger.audit.encode) to the audit log, in _order, all with
-- the same actor, clock reading and batch: the bulk path (imports). With append_entries.sql,
-- the only statements that write audit_log.
INSERT INTO audit_log (logged_at, actor, action, entity, entity_id, field, before, after, batch_id)
SELECT $logged_at::TIMESTAMP, $actor, action, entity, entity_id, field, before, after, $batch_id
FROM audit_entries
ORDER BY _order
