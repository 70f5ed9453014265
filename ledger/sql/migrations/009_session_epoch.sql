-- Sessions that end when an account changes (issue 12).
--
-- users.session_epoch: raised by every password change, role change and disable; a browser
-- session remembers the epoch it signed in with and ends when the account's has moved on.
-- Sign-in events and login throttling moved out of the ledger into <ledger>.signins.sqlite
-- (ledger/signins.py): users.failed_logins, locked_until and last_login_at are no longer written.
ALTER TABLE users ADD COLUMN session_epoch INTEGER DEFAULT 0;
