-- The write side of an import, run in one transaction by etl/importer.py.
-- Inputs are polars frames the importer builds from the validated files, read by name
-- (DuckDB's replacement scan of the importer's local variables):
--   incoming_keys      the task rows that may be in the ledger already (with a 督办编号, or of a
--                      source the ledger had): _n (the row's number in the import), _file, code, source_id, item
--   incoming_new       the rows that are new tasks, with their task_id and 督办编号 already assigned
--   incoming_existing  the rows that match an existing task, whole, with its task_id and its
--                      units as text (lead_units, co_units: names joined by 、)
--   incoming_units     (task_id, is_new, unit_id, role, position) for every row's units
--   incoming_milestones (task_id, is_new, seq, text, deadline)
--   incoming_sources   (_file, source_id): the sources each file lists tasks of
--   incoming_rectifications, incoming_reports, incoming_progress
-- Temp tables made here: matched (the existing rows), before, changes, reports,
-- matched_progress, closures. Parameters: $now TIMESTAMP, $today DATE, $actor VARCHAR, $batch VARCHAR.

-- name: match_tasks
-- A row is the task with its 督办编号 when the file has one, else the task with the same
-- source and 序号 (the natural key). Only the rows that match an existing task come back.
SELECT k._n, coalesce(by_code.task_id, by_key.task_id) AS task_id
FROM incoming_keys k
LEFT JOIN tasks by_code ON by_code.code = k.code
LEFT JOIN tasks by_key ON k.code IS NULL AND by_key.source_id = k.source_id AND by_key.item = k.item
WHERE coalesce(by_code.task_id, by_key.task_id) IS NOT NULL;

-- name: last_codes
-- 督办编号 are DB + year + a running number within the year; the last number of each year.
SELECT CAST(substr(code, 3, 4) AS INTEGER) AS year, max(CAST(substr(code, 7) AS BIGINT)) AS last_seq
FROM tasks
WHERE regexp_full_match(code, 'DB[0-9]{9,}')
GROUP BY 1;

-- name: new_task_ids
-- Ids for the new tasks, from the sequence the column's default uses.
SELECT nextval('task_ids') AS task_id FROM range($count);

-- name: insert_new_tasks
INSERT INTO tasks (task_id, code, source_id, item, category, content, leader_id, assigned_date, deadline_kind,
                   deadline, deadline_text, deadline_note, report_cycle, cycle_day, open_unit_list,
                   created_batch, updated_batch)
SELECT task_id, code, source_id, item, category, content, leader_id, assigned_date, deadline_kind,
       deadline, deadline_text, deadline_note, report_cycle, cycle_day, open_unit_list,
       $batch, $batch
FROM incoming_new;

-- name: audit_creates
INSERT INTO audit_log (logged_at, actor, action, entity, entity_id, field, before, after, batch_id)
SELECT $now, $actor, 'create', 'task', code, NULL, NULL, content, $batch
FROM incoming_new;

-- name: stage_existing
CREATE OR REPLACE TEMP TABLE matched AS SELECT * FROM incoming_existing;

-- name: snapshot_before
CREATE OR REPLACE TEMP TABLE before AS
WITH unit_lists AS (
    SELECT tu.task_id,
           string_agg(u.name, '、' ORDER BY tu.position) FILTER (WHERE tu.role = 'lead') AS lead_units,
           string_agg(u.name, '、' ORDER BY tu.position) FILTER (WHERE tu.role = 'co') AS co_units
    FROM task_units tu JOIN units u USING (unit_id)
    WHERE tu.task_id IN (SELECT task_id FROM matched)
    GROUP BY tu.task_id
),
milestone_lists AS (
    SELECT task_id, string_agg(text || '＠' || coalesce(CAST(deadline AS VARCHAR), ''), '；' ORDER BY seq) AS milestones
    FROM milestones
    WHERE task_id IN (SELECT task_id FROM matched)
    GROUP BY task_id
)
SELECT t.*, l.name AS leader_name, ul.lead_units, ul.co_units, ml.milestones
FROM tasks t
LEFT JOIN leaders l USING (leader_id)
LEFT JOIN unit_lists ul USING (task_id)
LEFT JOIN milestone_lists ml USING (task_id)
WHERE t.task_id IN (SELECT task_id FROM matched);

-- name: find_changes
-- One row per changed field of an existing task, with its value before and after.
CREATE OR REPLACE TEMP TABLE changes AS
SELECT _file, task_id, code, c.field AS field, c.before AS before, c.after AS after
FROM (
    SELECT m._file, b.task_id, b.code, unnest([
        {'field': 'category',       'before': b.category,                        'after': m.category},
        {'field': 'content',        'before': b.content,                         'after': m.content},
        {'field': 'leader',         'before': b.leader_name,                     'after': m.leader_name},
        {'field': 'deadline_text',  'before': b.deadline_text,                   'after': m.deadline_text},
        {'field': 'deadline_kind',  'before': b.deadline_kind,                   'after': m.deadline_kind},
        {'field': 'deadline',       'before': CAST(b.deadline AS VARCHAR),       'after': CAST(m.deadline AS VARCHAR)},
        {'field': 'report_cycle',   'before': b.report_cycle,                    'after': m.report_cycle},
        {'field': 'cycle_day',      'before': CAST(b.cycle_day AS VARCHAR),      'after': CAST(m.cycle_day AS VARCHAR)},
        {'field': 'open_unit_list', 'before': CAST(b.open_unit_list AS VARCHAR), 'after': CAST(m.open_unit_list AS VARCHAR)},
        {'field': 'lead_units',     'before': b.lead_units,                      'after': m.lead_units},
        {'field': 'co_units',       'before': b.co_units,                        'after': m.co_units},
        {'field': 'milestones',     'before': b.milestones,                      'after': m.milestones_text}
    ]) AS c
    FROM matched m JOIN before b USING (task_id)
)
WHERE c.before IS DISTINCT FROM c.after;

-- name: no_changes
-- When no row matched an existing task.
CREATE OR REPLACE TEMP TABLE changes
    (_file INTEGER, task_id INTEGER, code VARCHAR, field VARCHAR, before VARCHAR, after VARCHAR);

-- name: audit_updates
INSERT INTO audit_log (logged_at, actor, action, entity, entity_id, field, before, after, batch_id)
SELECT $now, $actor, 'update', 'task', code, field, before, after, $batch
FROM changes;

-- name: update_tasks
UPDATE tasks SET
    category = m.category, content = m.content, leader_id = m.leader_id,
    deadline_kind = m.deadline_kind, deadline = m.deadline, deadline_text = m.deadline_text,
    deadline_note = m.deadline_note, report_cycle = m.report_cycle, cycle_day = m.cycle_day,
    open_unit_list = m.open_unit_list, updated_batch = $batch
FROM matched m
WHERE tasks.task_id = m.task_id AND m.task_id IN (SELECT task_id FROM changes);

-- name: unlink_changed_units
DELETE FROM task_units
WHERE task_id IN (SELECT task_id FROM changes WHERE field IN ('lead_units', 'co_units'));

-- name: link_units
-- Units of new tasks, and of existing tasks whose lists changed; positions as written
-- (leads from 1, co-units from 101).
INSERT INTO task_units (task_id, unit_id, role, position)
SELECT task_id, unit_id, role, position
FROM incoming_units
WHERE is_new OR task_id IN (SELECT task_id FROM changes WHERE field IN ('lead_units', 'co_units'));

-- name: unlink_changed_milestones
DELETE FROM milestones
WHERE task_id IN (SELECT task_id FROM changes WHERE field = 'milestones');

-- name: insert_milestones
INSERT INTO milestones (task_id, seq, text, deadline)
SELECT task_id, seq, text, deadline
FROM incoming_milestones
WHERE is_new OR task_id IN (SELECT task_id FROM changes WHERE field = 'milestones');

-- name: upsert_rectifications
INSERT INTO rectifications (task_id, problem_type, problem, measures)
SELECT task_id, category, content, measures
FROM incoming_rectifications
ON CONFLICT (task_id) DO UPDATE SET
    problem_type = excluded.problem_type, problem = excluded.problem, measures = excluded.measures;

-- name: missing_rows
-- Tasks of the sources this file covers that the file no longer lists: reported, never deleted.
-- incoming_sources holds the sources the ledger had before this import; a task of theirs
-- the files list is in matched.
SELECT m._file, s.title, t.item, t.code
FROM tasks t
JOIN sources s USING (source_id)
JOIN incoming_sources m USING (source_id)
WHERE t.task_id NOT IN (SELECT task_id FROM matched)
  AND t.created_batch IS DISTINCT FROM $batch
ORDER BY m._file, s.title, t.task_id;

-- name: task_reports
-- Progress written in a task list's own 进展情况 column.
CREATE OR REPLACE TEMP TABLE reports AS
SELECT _file, _sheet, _row, task_id, progress AS text, report_date, done, done_date
FROM incoming_reports
WHERE progress IS NOT NULL OR done;

-- name: match_progress
-- Rows of a progress file, matched by 督办编号 or by source title and 序号.
CREATE OR REPLACE TEMP TABLE matched_progress AS
SELECT p.*, coalesce(by_code.task_id, by_key.task_id) AS task_id
FROM incoming_progress p
LEFT JOIN tasks by_code ON by_code.code = p.code
LEFT JOIN (
    SELECT t.task_id, t.item, s.title FROM tasks t JOIN sources s USING (source_id)
) by_key ON p.code IS NULL AND by_key.title = p.source_title AND by_key.item = p.item;

-- name: progress_reports
INSERT INTO reports
SELECT _file, _sheet, _row, task_id, text, report_date, done, done_date
FROM matched_progress;

-- name: add_progress
-- The same report (task, text) is recorded once, whichever file brings it again.
INSERT INTO progress (task_id, report_date, text, claims_done, reported_by, batch_id)
SELECT task_id, coalesce(report_date, $today), text, done, $actor, $batch
FROM (
    SELECT *, row_number() OVER (PARTITION BY task_id, text ORDER BY _file, _row) AS nth
    FROM reports
    WHERE text IS NOT NULL
) r
WHERE nth = 1
  AND NOT EXISTS (SELECT 1 FROM progress p WHERE p.task_id = r.task_id AND p.text = r.text);

-- name: closures
CREATE OR REPLACE TEMP TABLE closures AS
SELECT r.task_id, min(r._file) AS _file, max(coalesce(r.done_date, r.report_date, $today)) AS closed_date
FROM reports r JOIN tasks t USING (task_id)
WHERE r.done AND t.lifecycle = 'open'
GROUP BY r.task_id;

-- name: audit_closures
INSERT INTO audit_log (logged_at, actor, action, entity, entity_id, field, before, after, batch_id)
SELECT $now, $actor, 'close', 'task', t.code, 'closed_date', NULL, CAST(c.closed_date AS VARCHAR), $batch
FROM closures c JOIN tasks t USING (task_id);

-- name: close_tasks
UPDATE tasks SET lifecycle = 'closed', closed_date = c.closed_date, updated_batch = $batch
FROM closures c
WHERE tasks.task_id = c.task_id;
