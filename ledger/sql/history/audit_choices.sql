-- The actors (with their names) and the actions the audit log holds, for 操作日志's filters.
SELECT 'actor' AS kind, a.actor AS value, any_value(n.name) AS name
FROM audit_log a LEFT JOIN account_names n ON n.username = a.actor
GROUP BY a.actor
UNION ALL
SELECT 'action', action, NULL FROM audit_log GROUP BY action
ORDER BY kind, value
