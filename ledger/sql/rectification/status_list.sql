-- Every rectification task's 整改情况 and 回头看 as of $as_of, for the CLI's `status --tasks`.
SELECT
    t.code, rectification_status(s.status) AS rectification_status, l.lookback_due, l.lookback_result,
    l.lookback_pending, l.rebounds
FROM lookback_state($as_of) l
JOIN task_status($as_of, $soon) s USING (task_id)
JOIN tasks t USING (task_id)
ORDER BY t.code
