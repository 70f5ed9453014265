-- Appends the entries of one operation, given as parallel lists ($actions, $entities,
-- $entity_ids, $fields, $befores, $afters: text, encoded by ledger.audit.encode), in list
-- order, all with the same actor, clock reading and batch. Without $logged_at the clock reading
-- is the start of the caller's transaction, so that every entry of one operation, however many
-- calls write them, carries the same time. Parameters rather than a registered frame, so that
-- it runs on a connection that still holds a pending result.
INSERT INTO audit_log (logged_at, actor, action, entity, entity_id, field, before, after, batch_id)
SELECT coalesce($logged_at::TIMESTAMP, date_trunc('second', current_localtimestamp())), $actor, action, entity, entity_id, field, before, after, $batch_id
FROM (
    SELECT
        generate_subscripts($actions::VARCHAR[], 1) AS position,
        unnest($actions::VARCHAR[]) AS action,
        unnest($entities::VARCHAR[]) AS entity,
        unnest($entity_ids::VARCHAR[]) AS entity_id,
        unnest($fields::VARCHAR[]) AS field,
        unnest($befores::VARCHAR[]) AS before,
        unnest($afters::VARCHAR[]) AS after
)
ORDER BY position
