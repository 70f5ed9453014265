-- The bulk tables without PRIMARY KEY / UNIQUE indexes, and imported files kept whole.
--
-- An index that enforces a key costs an import more than the rest of its writes together
-- (100,000 tasks: 0.37 s into tasks with its key and two UNIQUE against 0.10 s without), and
-- DuckDB cannot drop a constraint with ALTER. So these tables are rebuilt without them, data,
-- defaults (their sequences), NOT NULL and CHECK kept, but for the deadline's codes, which only
-- an import writes and ledger/vocabulary.py alone now lists (a new code needs no rebuild). The
-- keys and those codes are checked by ledger/integrity.py inside every import's transaction (a
-- violation rolls it back). No FOREIGN KEY refers to any of these tables (see 001), and no
-- plain index is needed: the read queries scan them whole, or by ids that the row groups'
-- min/max already narrow.
-- audit_log keeps its key: it is append-only (nothing drops or rebuilds it), and an import now
-- writes a few entries there, not one per task.
--
-- import_files.content_zlib: the file as imported, byte for byte once decompressed (zlib, a
-- sixth of a list's size: DuckDB stores a large BLOB at several times its size in memory and
-- time). A batch's creations are recorded once, as the batch (import_batches, import_files, one
-- audit entry) and tasks.created_batch, not as one audit entry per task; the file they came
-- from can be downloaded again from the import history.

CREATE TABLE tasks_rebuilt (
    task_id        INTEGER NOT NULL,         -- given by the import: one more than the largest
    code           VARCHAR NOT NULL,         -- 督办编号, never reused or changed (unique: ledger/integrity.py)
    source_id      INTEGER NOT NULL,
    item           VARCHAR NOT NULL,         -- 序号 within the source, as written (unique per source)
    category       VARCHAR,
    content        VARCHAR NOT NULL,
    leader_id      INTEGER,
    assigned_date  DATE NOT NULL,
    deadline_kind  VARCHAR NOT NULL,
    deadline       DATE,
    deadline_text  VARCHAR NOT NULL,
    deadline_note  VARCHAR,
    report_cycle   VARCHAR,
    cycle_day      INTEGER,
    open_unit_list BOOLEAN NOT NULL DEFAULT false,
    lifecycle      VARCHAR NOT NULL DEFAULT 'open' CHECK (lifecycle IN ('open', 'closed', 'cancelled')),
    closed_date    DATE,
    cancelled_date DATE,
    created_batch  VARCHAR,                  -- the import batch that created the task
    updated_batch  VARCHAR
);
INSERT INTO tasks_rebuilt BY NAME SELECT * FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_rebuilt RENAME TO tasks;
-- Only an import creates tasks, and it numbers a batch's new tasks at once (a sequence's
-- nextval, called per row, took longer than inserting the rows).
DROP SEQUENCE task_ids;

CREATE TABLE task_units_rebuilt (
    task_id  INTEGER NOT NULL,
    unit_id  INTEGER NOT NULL,
    role     VARCHAR NOT NULL CHECK (role IN ('lead', 'co')),
    position INTEGER NOT NULL
);
INSERT INTO task_units_rebuilt BY NAME SELECT * FROM task_units;
DROP TABLE task_units;
ALTER TABLE task_units_rebuilt RENAME TO task_units;

CREATE TABLE milestones_rebuilt (
    milestone_id INTEGER NOT NULL DEFAULT nextval('milestone_ids'),
    task_id      INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    text         VARCHAR NOT NULL,
    deadline     DATE,
    done_date    DATE
);
INSERT INTO milestones_rebuilt BY NAME SELECT * FROM milestones;
DROP TABLE milestones;
ALTER TABLE milestones_rebuilt RENAME TO milestones;

CREATE TABLE progress_rebuilt (
    progress_id INTEGER NOT NULL DEFAULT nextval('progress_ids'),
    task_id     INTEGER NOT NULL,
    report_date DATE NOT NULL,
    text        VARCHAR NOT NULL,
    claims_done BOOLEAN NOT NULL DEFAULT false,
    reported_by VARCHAR,
    batch_id    VARCHAR,
    done_date   DATE,
    claim_state VARCHAR
);
INSERT INTO progress_rebuilt BY NAME SELECT * FROM progress;
DROP TABLE progress;
ALTER TABLE progress_rebuilt RENAME TO progress;

CREATE TABLE rectifications_rebuilt (
    task_id         INTEGER NOT NULL,
    problem_type    VARCHAR,
    problem         VARCHAR NOT NULL,
    measures        VARCHAR,
    lookback_due    DATE,
    lookback_date   DATE,
    lookback_result VARCHAR,
    rebounded       BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO rectifications_rebuilt BY NAME SELECT * FROM rectifications;
DROP TABLE rectifications;
ALTER TABLE rectifications_rebuilt RENAME TO rectifications;

CREATE TABLE import_files_rebuilt (
    batch_id       VARCHAR NOT NULL,
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    sheet          VARCHAR NOT NULL DEFAULT '',
    file_kind      VARCHAR NOT NULL,
    rows           INTEGER NOT NULL,
    tasks_created  INTEGER NOT NULL,
    tasks_updated  INTEGER NOT NULL,
    progress_added INTEGER NOT NULL,
    new_units      VARCHAR[] NOT NULL,
    warnings       VARCHAR[] NOT NULL,
    content_zlib   BLOB                      -- the file as imported, zlib-compressed; NULL before 006
);
INSERT INTO import_files_rebuilt BY NAME SELECT * FROM import_files;
DROP TABLE import_files;
ALTER TABLE import_files_rebuilt RENAME TO import_files;
