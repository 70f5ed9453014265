-- Tasks in scope per source kind and status, kinds in the office's order.
SELECT source_kind, source_kind_label, kind_order, status, count(*)::INTEGER AS tasks
FROM ({scope})
GROUP BY ALL
ORDER BY kind_order, status
