-- The task ledger (督查任务台账), version 1.
--
-- No FOREIGN KEY clauses: DuckDB forbids updating a row that a foreign key references,
-- which would make every correction of a unit or a source impossible. The import code
-- keeps references whole, and tests/test_schema.py checks that no reference dangles.

CREATE SEQUENCE leader_ids;
CREATE TABLE leaders (
    leader_id    INTEGER PRIMARY KEY DEFAULT nextval('leader_ids'),
    name         VARCHAR NOT NULL UNIQUE,
    title        VARCHAR,                    -- 区长, 常务副区长, 副区长 ...
    rank         INTEGER,
    is_principal BOOLEAN NOT NULL DEFAULT false
);

CREATE SEQUENCE unit_ids;
CREATE TABLE units (
    unit_id       INTEGER PRIMARY KEY DEFAULT nextval('unit_ids'),
    name          VARCHAR NOT NULL UNIQUE,   -- canonical name
    kind          VARCHAR NOT NULL,          -- 部门 / 镇街 / 企业 / 集体 / 其他
    leader_id     INTEGER,                   -- 分管领导
    is_collective BOOLEAN NOT NULL DEFAULT false,
    created_batch VARCHAR
);

-- Names the office's lists use for a unit (区发改局 for 区发展和改革局).
CREATE TABLE unit_aliases (
    alias   VARCHAR PRIMARY KEY,
    unit_id INTEGER NOT NULL
);

-- The shipped list of common department names and short forms, with 区/市/县 prefixes;
-- seeded from data/unit_catalog.csv, extended by the office through unit_aliases.
CREATE TABLE unit_catalog (
    alias     VARCHAR PRIMARY KEY,
    canonical VARCHAR NOT NULL
);

CREATE TABLE source_kinds (
    kind             VARCHAR PRIMARY KEY,   -- stable code
    label            VARCHAR NOT NULL UNIQUE, -- the office's word
    sort_order       INTEGER NOT NULL,
    is_meeting       BOOLEAN NOT NULL,
    is_rectification BOOLEAN NOT NULL
);
INSERT INTO source_kinds VALUES
    ('plenary',       '全体会议',         1, true,  false),
    ('executive',     '常务会议',         2, true,  false),
    ('mayor_office',  '区长办公会议',     3, true,  false),
    ('topical',       '专题会议',         4, true,  false),
    ('party_group',   '党组会议',         5, true,  false),
    ('directive',     '领导批示',         6, false, false),
    ('assigned',      '交办事项',         7, false, false),
    ('work_report',   '政府工作报告',     8, false, false),
    ('document',      '重要文件',         9, false, false),
    ('commitment',    '承诺事项',        10, false, false),
    ('key_project',   '重点项目',        11, false, false),
    ('audit',         '审计整改',        12, false, true),
    ('inspection',    '巡视巡察整改',    13, false, true),
    ('supervision',   '督查发现问题整改', 14, false, true),
    ('npc_proposal',  '人大建议',        15, false, false),
    ('cppcc_motion',  '政协提案',        16, false, false),
    ('petition',      '信访',            17, false, false),
    ('other',         '其他',            18, false, false);

CREATE SEQUENCE source_ids;
CREATE TABLE sources (
    source_id INTEGER PRIMARY KEY DEFAULT nextval('source_ids'),
    kind      VARCHAR NOT NULL,
    title     VARCHAR NOT NULL,   -- 区政府第12次常务会议
    number    VARCHAR,            -- 第12次, or a 批示件 number
    date      DATE NOT NULL,
    leader_id INTEGER,            -- the issuing leader (批示领导)
    UNIQUE (kind, title)
);

CREATE SEQUENCE task_ids;
CREATE TABLE tasks (
    task_id        INTEGER PRIMARY KEY DEFAULT nextval('task_ids'),
    code           VARCHAR NOT NULL UNIQUE,  -- 督办编号, never reused or changed
    source_id      INTEGER NOT NULL,
    item           VARCHAR NOT NULL,         -- 序号 within the source, as written
    category       VARCHAR,                  -- section heading or 类别 the row sits under
    content        VARCHAR NOT NULL,
    leader_id      INTEGER,                  -- 责任领导
    assigned_date  DATE NOT NULL,
    deadline_kind  VARCHAR NOT NULL CHECK (deadline_kind IN ('date', 'cycle', 'long_term')),
    deadline       DATE,
    deadline_text  VARCHAR NOT NULL,         -- exactly as written
    deadline_note  VARCHAR,                  -- e.g. working days counted on weekends only
    report_cycle   VARCHAR CHECK (report_cycle IN ('weekly', 'monthly', 'quarterly', 'half_yearly', 'yearly')),
    cycle_day      INTEGER,
    open_unit_list BOOLEAN NOT NULL DEFAULT false,  -- the unit list ended with 等
    lifecycle      VARCHAR NOT NULL DEFAULT 'open' CHECK (lifecycle IN ('open', 'closed', 'cancelled')),
    closed_date    DATE,
    cancelled_date DATE,
    created_batch  VARCHAR,
    updated_batch  VARCHAR,
    UNIQUE (source_id, item)
);

CREATE TABLE task_units (
    task_id  INTEGER NOT NULL,
    unit_id  INTEGER NOT NULL,
    role     VARCHAR NOT NULL CHECK (role IN ('lead', 'co')),
    position INTEGER NOT NULL,   -- order as written
    PRIMARY KEY (task_id, unit_id)
);

CREATE SEQUENCE milestone_ids;
CREATE TABLE milestones (
    milestone_id INTEGER PRIMARY KEY DEFAULT nextval('milestone_ids'),
    task_id      INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    text         VARCHAR NOT NULL,
    deadline     DATE,
    done_date    DATE,
    UNIQUE (task_id, seq)
);

CREATE SEQUENCE progress_ids;
CREATE TABLE progress (
    progress_id INTEGER PRIMARY KEY DEFAULT nextval('progress_ids'),
    task_id     INTEGER NOT NULL,
    report_date DATE NOT NULL,
    text        VARCHAR NOT NULL,
    claims_done BOOLEAN NOT NULL DEFAULT false,
    reported_by VARCHAR,
    batch_id    VARCHAR
);

-- 延期: the original deadline stays on the task; the approved new one wins for status.
CREATE SEQUENCE extension_ids;
CREATE TABLE extensions (
    extension_id      INTEGER PRIMARY KEY DEFAULT nextval('extension_ids'),
    task_id           INTEGER NOT NULL,
    requested_date    DATE NOT NULL,
    original_deadline DATE,
    new_deadline      DATE NOT NULL,
    reason            VARCHAR,
    decision          VARCHAR NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'approved', 'rejected')),
    decided_date      DATE,
    decided_by        VARCHAR
);

-- 核查: the office verifies a claimed completion before closing (销号).
CREATE SEQUENCE verification_ids;
CREATE TABLE verifications (
    verification_id INTEGER PRIMARY KEY DEFAULT nextval('verification_ids'),
    task_id         INTEGER NOT NULL,
    verified_date   DATE NOT NULL,
    verifier        VARCHAR,
    result          VARCHAR NOT NULL CHECK (result IN ('passed', 'failed')),
    note            VARCHAR
);

-- 整改 with 回头看: one row per rectification task.
CREATE TABLE rectifications (
    task_id         INTEGER PRIMARY KEY,
    problem_type    VARCHAR,
    problem         VARCHAR NOT NULL,
    measures        VARCHAR,
    lookback_due    DATE,
    lookback_date   DATE,
    lookback_result VARCHAR,
    rebounded       BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE import_batches (
    batch_id       VARCHAR PRIMARY KEY,
    created_at     TIMESTAMP NOT NULL,
    created_by     VARCHAR NOT NULL,
    files          INTEGER NOT NULL,
    rows           INTEGER NOT NULL,
    tasks_created  INTEGER NOT NULL,
    tasks_updated  INTEGER NOT NULL,
    progress_added INTEGER NOT NULL
);

CREATE TABLE import_files (
    batch_id       VARCHAR NOT NULL,
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    sheet          VARCHAR NOT NULL DEFAULT '',   -- '' = every sheet
    file_kind      VARCHAR NOT NULL,
    rows           INTEGER NOT NULL,
    tasks_created  INTEGER NOT NULL,
    tasks_updated  INTEGER NOT NULL,
    progress_added INTEGER NOT NULL,
    new_units      VARCHAR[] NOT NULL,
    warnings       VARCHAR[] NOT NULL,
    PRIMARY KEY (sha256, sheet)
);

-- Append-only: nothing in the code updates or deletes an audit entry.
CREATE SEQUENCE audit_ids;
CREATE TABLE audit_log (
    audit_id  BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
    logged_at TIMESTAMP NOT NULL,
    actor     VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,   -- create / update / close / missing_in_file / ...
    entity    VARCHAR NOT NULL,   -- task / unit / source / ...
    entity_id VARCHAR NOT NULL,
    field     VARCHAR,
    before    VARCHAR,
    after     VARCHAR,
    batch_id  VARCHAR
);

CREATE TABLE settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
INSERT INTO settings VALUES ('due_soon_workdays', '5');

-- Derived from etl/workcal.py and data/holidays.csv; rebuilt when the holiday file changes.
-- workday_seq counts working days since the table's first day, so the working days in
-- (a, b] are seq(b) - seq(a).
CREATE TABLE calendar (
    day         DATE PRIMARY KEY,
    is_workday  BOOLEAN NOT NULL,
    workday_seq INTEGER NOT NULL,
    covered     BOOLEAN NOT NULL    -- false: the year has no official schedule, weekends only
);
