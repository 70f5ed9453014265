-- The sources of the viewer's tasks, newest first (sidebar filter).
SELECT source_id, kind, title, date
FROM sources
WHERE source_id IN (SELECT source_id FROM visible_tasks($see_all, $viewer_units, $viewer_leader))
ORDER BY date DESC, title
