-- The open tasks a viewer may see, with the deadline they are held to as of as_of (an approved
-- extension wins) beside the one first set: what the office's and a unit's request lists
-- (pending_requests.sql, returned_claims.sql) start from.
CREATE OR REPLACE MACRO open_tasks_in_view(as_of, see_all, viewer_units, viewer_leader) AS TABLE
SELECT t.task_id, t.code, t.content, t.deadline AS original_deadline,
       coalesce(e.new_deadline, t.deadline) AS current_deadline
FROM visible_tasks(see_all, viewer_units, viewer_leader) t
LEFT JOIN approved_extensions(as_of) e USING (task_id)
WHERE t.lifecycle = 'open';
