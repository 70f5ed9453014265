-- 反弹: the reopened rectification's new deadline, a fixed date written as the office writes it.
UPDATE tasks
SET deadline_kind = 'date', deadline = $deadline, deadline_text = $deadline_text, deadline_note = NULL,
    report_cycle = NULL, cycle_day = NULL
WHERE task_id = $task_id
