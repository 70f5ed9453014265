-- 延期 in force: per task, the new deadline of its latest extension approved by $as_of. The
-- task keeps its original deadline; this one wins for status and for further requests.
SELECT task_id, arg_max(new_deadline, extension_id) AS new_deadline
FROM extensions
WHERE decision = 'approved' AND coalesce(decided_date, requested_date) <= $as_of::DATE
GROUP BY task_id
