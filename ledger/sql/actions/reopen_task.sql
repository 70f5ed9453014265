UPDATE tasks SET lifecycle = 'open', closed_date = NULL, cancelled_date = NULL
WHERE task_id = $task_id AND lifecycle IN ('closed', 'cancelled')
