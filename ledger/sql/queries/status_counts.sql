-- Tasks in scope per status as of $as_of.
SELECT status, count(*)::INTEGER AS tasks
FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders)
GROUP BY status
