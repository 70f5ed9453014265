-- 被退回: completion claims a failed 核查 sent back, on open tasks in the viewer's scope, that
-- are still the task's latest claim (a new claim answers the return), newest return first,
-- with the office's reason.
WITH
open_tasks AS (
    SELECT * FROM open_tasks_in_view($as_of, $see_all, $viewer_units, $viewer_leader)
),
latest_claims AS (
    SELECT task_id, max(progress_id) AS progress_id
    FROM progress
    WHERE claims_done AND claim_state IS NOT NULL
    GROUP BY task_id
),
returned AS (
    SELECT p.progress_id, p.task_id, p.report_date, p.reported_by, p.text, p.done_date,
           v.verified_date, v.verifier, v.note
    FROM progress p
    JOIN latest_claims USING (progress_id)
    JOIN verifications v ON v.progress_id = p.progress_id AND v.result = 'failed'
    WHERE p.claim_state = 'failed'
)
SELECT
    'returned' AS request_type, '被退回' AS request_label, r.progress_id AS request_id, o.task_id, o.code, o.content,
    coalesce(un.lead_units, []) AS lead_units,
    r.report_date AS requested_date, r.reported_by AS requested_by, coalesce(n.name, r.reported_by) AS requested_by_name,
    r.text, r.done_date, o.original_deadline, o.current_deadline,
    r.verified_date AS returned_date, r.verifier AS returned_by, coalesce(v.name, r.verifier) AS returned_by_name,
    r.note AS return_reason
FROM returned r
JOIN open_tasks o USING (task_id)
LEFT JOIN task_unit_names((SELECT list(task_id) FROM returned)) un USING (task_id)
LEFT JOIN account_names n ON n.username = r.reported_by
LEFT JOIN account_names v ON v.username = r.verifier
ORDER BY r.verified_date DESC, o.code
