UPDATE tasks SET lifecycle = 'open', closed_date = NULL, cancelled_date = NULL, cancel_reason = NULL, superseded_by = NULL
WHERE task_id = $task_id AND lifecycle IN ('closed', 'cancelled')
