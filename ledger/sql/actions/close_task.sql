UPDATE tasks SET lifecycle = 'closed', closed_date = $closed_date
WHERE task_id = $task_id AND lifecycle = 'open'
