UPDATE tasks SET lifecycle = 'cancelled', cancelled_date = $cancelled_date, cancel_reason = $cancel_reason,
                 superseded_by = $superseded_by
WHERE task_id = $task_id AND lifecycle = 'open'
