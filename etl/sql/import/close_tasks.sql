UPDATE tasks SET lifecycle = 'closed', closed_date = c.closed_date, updated_batch = $batch
FROM closures c
WHERE tasks.task_id = c.task_id
