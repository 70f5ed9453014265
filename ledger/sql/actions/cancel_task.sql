UPDATE tasks SET lifecycle = 'cancelled', cancelled_date = $cancelled_date
WHERE task_id = $task_id AND lifecycle = 'open'
