-- Keeps the replaced ledger's (cur, attached read-only) security state of every account the
-- backup (main) also holds: password hash and when it was set, disabled, and a session epoch
-- past both files' (so that sessions signed in before the restore end if the role changed).
UPDATE main.users AS u
SET password_hash = n.password_hash,
    password_changed_at = n.password_changed_at,
    disabled = n.disabled,
    session_epoch = greatest(coalesce(n.session_epoch, 0), coalesce(u.session_epoch, 0))
        + CASE WHEN (u.role, u.unit_id, u.leader_id) IS DISTINCT FROM (n.role, n.unit_id, n.leader_id) THEN 1 ELSE 0 END
FROM cur.main.users AS n
WHERE n.username = u.username
