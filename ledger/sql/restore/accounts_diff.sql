-- The accounts whose state differs between the ledger (cur, attached read-only) and the backup
-- (main): one row per account, with what differs. A restore keeps the ledger's security state
-- (password hash, disabled, session epoch) unless told otherwise; roles and names come from
-- the backup.
SELECT
    coalesce(n.username, b.username) AS username,
    n.username IS NOT NULL AND b.username IS NULL AS added_since,
    n.username IS NULL AND b.username IS NOT NULL AS removed_since,
    n.password_hash IS DISTINCT FROM b.password_hash AS password_changed,
    n.disabled IS DISTINCT FROM b.disabled AS disabled_changed,
    n.disabled AS disabled_now,
    (n.role, n.unit_id, n.leader_id) IS DISTINCT FROM (b.role, b.unit_id, b.leader_id) AS role_changed,
    n.display_name IS DISTINCT FROM b.display_name AS name_changed
FROM cur.main.users AS n
FULL JOIN main.users AS b ON b.username = n.username
WHERE n.username IS NULL OR b.username IS NULL
   OR n.password_hash IS DISTINCT FROM b.password_hash
   OR n.disabled IS DISTINCT FROM b.disabled
   OR (n.role, n.unit_id, n.leader_id) IS DISTINCT FROM (b.role, b.unit_id, b.leader_id)
   OR n.display_name IS DISTINCT FROM b.display_name
ORDER BY 1
