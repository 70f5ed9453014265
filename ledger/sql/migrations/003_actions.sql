-- Lifecycle actions on a task, taken in the dashboard by signed-in users (etl/actions.py).
--
-- ADD COLUMN takes no CHECK clause in DuckDB: etl/actions.py writes only the values named
-- in the comments below.

-- 批示 (a leader's) and 督办意见 (the office's) on a task. Append-only, like the audit log.
CREATE SEQUENCE comment_ids;
CREATE TABLE task_comments (
    comment_id  INTEGER PRIMARY KEY DEFAULT nextval('comment_ids'),
    task_id     INTEGER NOT NULL,
    author      VARCHAR NOT NULL,   -- username
    author_role VARCHAR NOT NULL CHECK (author_role IN ('office', 'leader')),
    kind        VARCHAR NOT NULL CHECK (kind IN ('批示', '督办意见')),
    text        VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

-- 申请办结: a progress row with claims_done = true carries the date the unit says the work
-- was done, and where the claim stands:
--   pending  待核查, the task stays open until the office verifies it
--   passed   核查通过, the task was closed on done_date
--   failed   核查未通过, the task stays open
--   void     the office closed, cancelled or reopened the task without verifying this claim
-- NULL for ordinary reports and for claims brought in by an import (which closes directly).
ALTER TABLE progress ADD COLUMN done_date DATE;
ALTER TABLE progress ADD COLUMN claim_state VARCHAR;

-- Who asked for an extension, and the office's note on its decision.
ALTER TABLE extensions ADD COLUMN requested_by VARCHAR;
ALTER TABLE extensions ADD COLUMN decision_note VARCHAR;

-- The completion claim (progress row) a verification judged; NULL when the office checked
-- a task on its own initiative.
ALTER TABLE verifications ADD COLUMN progress_id INTEGER;
