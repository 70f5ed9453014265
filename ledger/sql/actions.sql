-- Lifecycle actions on a task (etl/actions.py): reading one task in the user's scope, the
-- requests that wait for the office, and the writes each action makes. Every value comes in
-- as a parameter. {visible_tasks} is replaced by etl/sql/visible_tasks.sql, whose
-- parameters are $see_all, $viewer_units and $viewer_leader (etl.access.viewer_params).


-- ------------------------------------------------------------------------------- reading

-- name: visible_task
-- The task with 督办编号 $code if the viewer may see it, with its current effective deadline
-- (the latest approved extension, else the deadline as assigned).
WITH
visible AS (
    {visible_tasks}
),
approved_extension AS (
    {approved_extensions}
),
unit_lists AS (
    SELECT tu.task_id,
           list(u.name ORDER BY tu.position) FILTER (WHERE tu.role = 'lead') AS lead_units,
           list(u.name ORDER BY tu.position) FILTER (WHERE tu.role = 'co') AS co_units
    FROM task_units tu JOIN units u USING (unit_id)
    GROUP BY tu.task_id
)
SELECT
    t.*,
    coalesce(e.new_deadline, t.deadline) AS effective_deadline,
    s.title AS source,
    l.name AS leader,
    coalesce(ul.lead_units, []) AS lead_units,
    coalesce(ul.co_units, []) AS co_units
FROM tasks t
JOIN sources s USING (source_id)
LEFT JOIN leaders l ON l.leader_id = t.leader_id
LEFT JOIN approved_extension e USING (task_id)
LEFT JOIN unit_lists ul USING (task_id)
WHERE t.code = $code
  AND t.task_id IN (SELECT task_id FROM visible)

-- name: pending_claim
-- The completion claim of task $task_id that waits for 核查 (at most one).
SELECT progress_id, report_date, done_date, text, reported_by
FROM progress
WHERE task_id = $task_id AND claims_done AND claim_state = 'pending'
ORDER BY progress_id DESC
LIMIT 1

-- name: pending_extension
-- The extension request of task $task_id that waits for a decision (at most one).
SELECT extension_id, requested_date, new_deadline
FROM extensions
WHERE task_id = $task_id AND decision = 'pending'
ORDER BY extension_id DESC
LIMIT 1

-- name: extension_by_id
SELECT e.*, t.code, t.lifecycle
FROM extensions e
JOIN tasks t USING (task_id)
WHERE e.extension_id = $extension_id

-- name: stale_claims
-- Claims still pending on task $task_id when the office closes, cancels or reopens it.
SELECT progress_id
FROM progress
WHERE task_id = $task_id AND claims_done AND claim_state = 'pending'
ORDER BY progress_id

-- name: stale_extensions
-- Extension requests still pending on task $task_id when the office closes, cancels or reopens it.
SELECT extension_id
FROM extensions
WHERE task_id = $task_id AND decision = 'pending'
ORDER BY extension_id

-- name: comments
-- The 批示 and 督办意见 on task $task_id, oldest first.
SELECT comment_id, kind, text, author, author_role, created_at
FROM task_comments
WHERE task_id = $task_id
ORDER BY created_at, comment_id

-- name: pending_requests
-- Completion claims and extension requests waiting for the office, on open tasks in the
-- viewer's scope, oldest first.
WITH
visible AS (
    {visible_tasks}
),
approved_extension AS (
    {approved_extensions}
),
lead_units AS (
    SELECT tu.task_id, list(u.name ORDER BY tu.position) AS lead_units
    FROM task_units tu JOIN units u USING (unit_id)
    WHERE tu.role = 'lead'
    GROUP BY tu.task_id
),
open_tasks AS (
    SELECT t.task_id, t.code, t.content, t.deadline AS original_deadline,
           coalesce(e.new_deadline, t.deadline) AS current_deadline
    FROM tasks t
    LEFT JOIN approved_extension e USING (task_id)
    WHERE t.lifecycle = 'open'
      AND t.task_id IN (SELECT task_id FROM visible)
),
requests AS (
    SELECT 'claim' AS request_type, '申请办结' AS request_label, progress_id AS request_id, task_id,
           report_date AS requested_date, reported_by AS requested_by, text,
           done_date, CAST(NULL AS DATE) AS new_deadline
    FROM progress
    WHERE claims_done AND claim_state = 'pending'
    UNION ALL
    SELECT 'extension', '申请延期', extension_id, task_id,
           requested_date, requested_by, reason,
           CAST(NULL AS DATE), new_deadline
    FROM extensions
    WHERE decision = 'pending'
)
SELECT
    r.request_type, r.request_label, r.request_id, o.task_id, o.code, o.content,
    coalesce(lu.lead_units, []) AS lead_units,
    r.requested_date, r.requested_by, r.text, r.done_date,
    o.original_deadline, o.current_deadline, r.new_deadline
FROM requests r
JOIN open_tasks o USING (task_id)
LEFT JOIN lead_units lu USING (task_id)
ORDER BY r.requested_date, o.code, r.request_type, r.request_id


-- ------------------------------------------------------------------------------- writing

-- name: insert_comment
INSERT INTO task_comments (task_id, author, author_role, kind, text, created_at)
VALUES ($task_id, $author, $author_role, $kind, $text, current_localtimestamp())
RETURNING comment_id

-- name: insert_progress
-- A progress report; a completion claim when $claims_done (then $claim_state = 'pending').
INSERT INTO progress (task_id, report_date, text, claims_done, reported_by, done_date, claim_state)
VALUES ($task_id, $report_date, $text, $claims_done, $reported_by, $done_date, $claim_state)
RETURNING progress_id

-- name: set_claim_state
UPDATE progress SET claim_state = $claim_state
WHERE progress_id = $progress_id

-- name: insert_extension
INSERT INTO extensions (task_id, requested_date, original_deadline, new_deadline, reason, decision, requested_by)
VALUES ($task_id, $requested_date, $original_deadline, $new_deadline, $reason, 'pending', $requested_by)
RETURNING extension_id

-- name: decide_extension
UPDATE extensions
SET decision = $decision, decided_date = $decided_date, decided_by = $decided_by, decision_note = $decision_note
WHERE extension_id = $extension_id AND decision = 'pending'

-- name: insert_verification
INSERT INTO verifications (task_id, verified_date, verifier, result, note, progress_id)
VALUES ($task_id, $verified_date, $verifier, $result, $note, $progress_id)
RETURNING verification_id

-- name: close_task
UPDATE tasks SET lifecycle = 'closed', closed_date = $closed_date
WHERE task_id = $task_id AND lifecycle = 'open'

-- name: cancel_task
UPDATE tasks SET lifecycle = 'cancelled', cancelled_date = $cancelled_date
WHERE task_id = $task_id AND lifecycle = 'open'

-- name: reopen_task
UPDATE tasks SET lifecycle = 'open', closed_date = NULL, cancelled_date = NULL
WHERE task_id = $task_id AND lifecycle IN ('closed', 'cancelled')

-- name: audit
-- One audit entry per field of one change: $fields, $befores and $afters are parallel lists.
-- The time is the transaction's start (local time, as the importer writes it), the same for
-- every entry of one action.
INSERT INTO audit_log (logged_at, actor, action, entity, entity_id, field, before, after, batch_id)
SELECT current_localtimestamp(), $actor, $action, $entity, $entity_id,
       unnest($fields::VARCHAR[]), unnest($befores::VARCHAR[]), unnest($afters::VARCHAR[]),
       NULL
