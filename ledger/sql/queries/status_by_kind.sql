-- Tasks in scope per source kind and status, kinds in the office's order.
SELECT source_kind, source_kind_label, kind_order, status, count(*)::INTEGER AS tasks
FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders)
GROUP BY ALL
ORDER BY kind_order, status
