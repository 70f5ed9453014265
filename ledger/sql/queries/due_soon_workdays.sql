-- The 临期 window in working days: settings.due_soon_workdays, 5 when unset.
SELECT coalesce(max(CAST(value AS INTEGER)), 5) AS soon
FROM settings
WHERE key = 'due_soon_workdays'
