-- The office's own supervision acts, beside the units' lifecycle actions (ledger/supervision.py).

-- 催办: one row per task chased, with the unit chased (the lead unit unless the office names a
-- co-unit). A bulk 催办 of a unit writes one row per red task of that unit.
CREATE SEQUENCE chase_ids;
CREATE TABLE chases (
    chase_id   INTEGER PRIMARY KEY DEFAULT nextval('chase_ids'),
    task_id    INTEGER NOT NULL,
    unit_id    INTEGER NOT NULL,
    chased_on  DATE NOT NULL,
    way        VARCHAR NOT NULL CHECK (way IN ('phone', 'written', 'system', 'talk')),
    note       VARCHAR,
    chased_by  VARCHAR NOT NULL,    -- username
    created_at TIMESTAMP NOT NULL
);

-- 通报 (表扬 / 批评) and 约谈 of a unit, with the tasks they concern.
CREATE SEQUENCE unit_notice_ids;
CREATE TABLE unit_notices (
    notice_id   INTEGER PRIMARY KEY DEFAULT nextval('unit_notice_ids'),
    unit_id     INTEGER NOT NULL,
    noticed_on  DATE NOT NULL,
    kind        VARCHAR NOT NULL CHECK (kind IN ('praise', 'criticism', 'talk')),
    task_ids    INTEGER[] NOT NULL,
    note        VARCHAR,
    recorded_by VARCHAR NOT NULL,   -- username
    created_at  TIMESTAMP NOT NULL
);

INSERT INTO settings VALUES ('notice_reply_workdays', '3');
