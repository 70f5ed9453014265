-- 反弹: a 回头看时限 set for the round that rebounded no longer applies; the next closing
-- schedules its own (lookback_state).
UPDATE rectifications SET lookback_due = NULL WHERE task_id = $task_id
