-- Tasks in scope per status as of $as_of.
SELECT status, count(*)::INTEGER AS tasks
FROM ({scope})
GROUP BY status
