-- Local accounts (issue 4): who may sign in, with which role, for which unit or leader.
--
-- Passwords are stored only as argon2 hashes (etl/accounts.py); nothing else in the ledger
-- holds a password or a hash. Every change to this table, every login, failed login and
-- lockout appends to audit_log (entity 'user', entity_id = username).
-- No FOREIGN KEY clauses (see 001): unit_id and leader_id are checked by etl/accounts.py.

CREATE TABLE users (
    username            VARCHAR PRIMARY KEY,       -- lower case: letters, digits, . _ -
    display_name        VARCHAR NOT NULL DEFAULT '',
    role                VARCHAR NOT NULL CHECK (role IN ('office', 'leader', 'unit')),
    unit_id             INTEGER,                   -- role unit: the unit the account works for
    leader_id           INTEGER,                   -- role leader: the leader the account is
    password_hash       VARCHAR NOT NULL,          -- argon2 encoded hash, never a password
    failed_logins       INTEGER NOT NULL DEFAULT 0, -- consecutive failures since the last success
    locked_until        TIMESTAMP,                 -- no login before this time
    disabled            BOOLEAN NOT NULL DEFAULT false,
    created_at          TIMESTAMP NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    last_login_at       TIMESTAMP,
    CHECK (role <> 'unit' OR unit_id IS NOT NULL),
    CHECK (role <> 'leader' OR leader_id IS NOT NULL)
);

INSERT INTO settings VALUES
    ('login_max_failures', '5'),        -- consecutive failed logins before a lockout
    ('login_lockout_minutes', '15'),    -- how long a lockout lasts
    ('session_idle_minutes', '30'),     -- a session ends after this long without activity
    ('session_max_hours', '8');         -- and at the latest this long after login
