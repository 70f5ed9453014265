-- The roles and their words, synced from ledger.vocabulary.ROLE_LABELS whenever a writer opens
-- the ledger (ledger.db.sync_vocabulary), for SQL that names an account.
CREATE TABLE roles (
    role       VARCHAR PRIMARY KEY,
    label      VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL
);

-- How pages name the person behind a username (操作日志, the task timeline, 待审核 requests):
-- the account's display name, with its unit when the display name is a person's rather than
-- the unit's; an account without one shows its leader or unit, and failing both its username
-- with its role (ducha（督查室）), never the username alone. Defined once, joined wherever a
-- username is shown.
CREATE VIEW account_names AS
SELECT
    u.username,
    CASE
        WHEN un.name IS NOT NULL AND coalesce(u.display_name, '') NOT IN ('', un.name)
            THEN u.display_name || '（' || un.name || '）'
        ELSE coalesce(nullif(u.display_name, ''), un.name, l.name,
                      u.username || '（' || coalesce(r.label, u.role) || '）')
    END AS name
FROM users u
LEFT JOIN units un ON un.unit_id = u.unit_id
LEFT JOIN leaders l ON l.leader_id = u.leader_id
LEFT JOIN roles r ON r.role = u.role;


-- Whether a status counts as 办结 (按期办结 or 逾期办结): ledger.vocabulary.DONE_STATUSES in SQL,
-- for every count of finished work. tests/test_vocabulary.py checks that the two agree.
CREATE OR REPLACE MACRO is_done(status) AS status IN ('done_on_time', 'done_late');
