-- Honest rules for the lifecycle actions (issue 11, ledger/actions.py).
--
-- extensions.filed_late: an extension asked after the (current, extended) deadline, which the
-- office alone may record (逾期后补办); every rate counts such a task as late. Units are refused
-- an extension after the deadline.
ALTER TABLE extensions ADD COLUMN filed_late BOOLEAN DEFAULT false;
ALTER TABLE extensions ALTER COLUMN filed_late SET NOT NULL;

-- 撤销: why, and the later source (来源, as the office names it) that superseded the task, if
-- any. Cleared when the task is reopened; the audit log keeps them.
ALTER TABLE tasks ADD COLUMN cancel_reason VARCHAR;
ALTER TABLE tasks ADD COLUMN superseded_by VARCHAR;

-- 销号 needs a passed 核查 (是) or may also be done directly by the office with a note (否):
-- UPDATE settings SET value = '否' WHERE key = 'close_requires_verification'.
INSERT OR IGNORE INTO settings VALUES ('close_requires_verification', '是');
