-- Whether unit $unit_id is a lead unit (牵头单位) of task $task_id: only the lead unit asks for an
-- extension or claims completion; a co-unit (配合单位) reports progress.
SELECT count(*) > 0 AS is_lead
FROM task_units
WHERE task_id = $task_id AND unit_id = $unit_id AND role = 'lead'
