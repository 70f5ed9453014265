-- What a look-back needs of task $task_id: whether it is a rectification (its source's kind is
-- one), its lifecycle, closing date and deadline, and the latest look-back so far.
SELECT
    t.task_id, t.code, t.lifecycle, t.closed_date, t.deadline_kind, t.deadline, t.deadline_text,
    k.is_rectification,
    (SELECT max(l.lookback_date) FROM lookbacks l WHERE l.task_id = t.task_id) AS last_lookback
FROM tasks t
JOIN sources s USING (source_id)
JOIN source_kinds k ON k.kind = s.kind
WHERE t.task_id = $task_id
