-- With --restore-accounts: the backup's security state comes back, and every session signed in
-- before the restore ends (each account's epoch moves past both files').
UPDATE main.users AS u
SET session_epoch = greatest(coalesce(n.session_epoch, 0), coalesce(u.session_epoch, 0)) + 1
FROM cur.main.users AS n
WHERE n.username = u.username
