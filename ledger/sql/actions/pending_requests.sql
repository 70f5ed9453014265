-- Completion claims and extension requests waiting for the office, on open tasks in the
-- viewer's scope, oldest first.
WITH
open_tasks AS (
    SELECT * FROM open_tasks_in_view($as_of, $see_all, $viewer_units, $viewer_leader)
),
requests AS (
    SELECT 'claim' AS request_type, '申请办结' AS request_label, progress_id AS request_id, task_id,
           report_date AS requested_date, reported_by AS requested_by, text,
           done_date, CAST(NULL AS DATE) AS new_deadline, CAST(NULL AS BOOLEAN) AS filed_late
    FROM progress
    WHERE claims_done AND claim_state = 'pending'
    UNION ALL
    SELECT 'extension', '申请延期', extension_id, task_id,
           requested_date, requested_by, reason,
           CAST(NULL AS DATE), new_deadline, filed_late
    FROM extensions
    WHERE decision = 'pending'
)
SELECT
    r.request_type, r.request_label, r.request_id, o.task_id, o.code, o.content,
    coalesce(un.lead_units, []) AS lead_units,
    r.requested_date, r.requested_by, coalesce(n.name, r.requested_by) AS requested_by_name, r.text, r.done_date,
    o.original_deadline, o.current_deadline, r.new_deadline, r.filed_late
FROM requests r
JOIN open_tasks o USING (task_id)
LEFT JOIN task_unit_names((SELECT list(task_id) FROM requests)) un USING (task_id)
LEFT JOIN account_names n ON n.username = r.requested_by
ORDER BY r.requested_date, o.code, r.request_type, r.request_id
