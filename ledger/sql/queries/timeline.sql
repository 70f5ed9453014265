-- What happened to task $task_id up to $as_of, oldest first: 交办, 进展, 延期申请 and its
-- decision, 批示 and 督办意见, 催办, 通报 and 约谈 naming the task, 核查, 办结 or 撤销, 回头看
-- (every round; a 反弹 with its new deadline). The words for a 催办's way and a notice's kind
-- come from ledger.vocabulary as parallel lists ($way_codes/$way_labels, $notice_codes/$notice_labels).
-- `seq` keeps events of one day in the order they happen.
-- `who` names the person (account_names), never a login name; a name written by an import
-- (a 批准 recorded as 张三) is shown as written, and blank stays blank.
WITH events AS (
    SELECT t.assigned_date AS day, 1 AS seq, '交办' AS event,
           '由' || s.title || '交办' AS detail, NULL AS who
    FROM tasks t JOIN sources s USING (source_id)
    WHERE t.task_id = $task_id
    UNION ALL
    SELECT report_date, 2, CASE WHEN claims_done THEN '进展报送（报办结）' ELSE '进展报送' END, text, reported_by
    FROM progress WHERE task_id = $task_id
    UNION ALL
    SELECT CAST(created_at AS DATE), 2, kind, text, author
    FROM task_comments WHERE task_id = $task_id
    UNION ALL
    SELECT requested_date, 3, '延期申请',
           '申请延期至 ' || strftime(new_deadline, '%Y-%m-%d') || coalesce('：' || reason, ''), requested_by
    FROM extensions WHERE task_id = $task_id
    UNION ALL
    SELECT decided_date, 4,
           CASE decision WHEN 'approved' THEN '延期批准' WHEN 'rejected' THEN '延期未批准' END,
           '延期至 ' || strftime(new_deadline, '%Y-%m-%d') || coalesce('：' || decision_note, ''), decided_by
    FROM extensions WHERE task_id = $task_id AND decision <> 'pending' AND decided_date IS NOT NULL
    UNION ALL
    SELECT c.chased_on, 3, '催办（' || $way_labels[list_position($way_codes, c.way)] || '）',
           concat_ws('；', '催办' || u.name, c.note), c.chased_by
    FROM chases c JOIN units u USING (unit_id) WHERE c.task_id = $task_id
    UNION ALL
    SELECT n.noticed_on, 3, $notice_labels[list_position($notice_codes, n.kind)], concat_ws('；', u.name, n.note),
           n.recorded_by
    FROM unit_notices n JOIN units u USING (unit_id) WHERE list_contains(n.task_ids, $task_id)
    UNION ALL
    SELECT verified_date, 5, CASE result WHEN 'passed' THEN '核查通过' ELSE '核查未通过，退回' END, note, verifier
    FROM verifications WHERE task_id = $task_id
    UNION ALL
    SELECT closed_date, 6, '办结销号', NULL, NULL
    FROM tasks WHERE task_id = $task_id AND lifecycle = 'closed'
    UNION ALL
    SELECT cancelled_date, 6, '撤销', cancel_reason || coalesce('（由' || superseded_by || '取代）', ''), NULL
    FROM tasks WHERE task_id = $task_id AND lifecycle = 'cancelled'
    UNION ALL
    SELECT lookback_date, 7, CASE result WHEN 'rebounded' THEN '回头看（反弹）' ELSE '回头看（巩固）' END,
           concat_ws('；', note, strftime(closed_date, '%Y-%m-%d') || ' 办结的整改',
                     '重新打开，整改时限 ' || strftime(new_deadline, '%Y-%m-%d')),
           recorded_by
    FROM lookbacks WHERE task_id = $task_id
)
SELECT e.day, e.event, coalesce(e.detail, '') AS detail, coalesce(n.name, e.who, '') AS who
FROM events e
LEFT JOIN account_names n ON n.username = e.who
WHERE e.day <= $as_of::DATE
ORDER BY e.day, e.seq
