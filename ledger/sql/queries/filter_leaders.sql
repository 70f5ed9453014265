-- The responsible leaders of the viewer's tasks, principal first (sidebar filter); every
-- leader for a viewer who sees everything.
SELECT name
FROM leaders
WHERE $see_all::BOOLEAN
   OR leader_id IN (SELECT leader_id FROM visible_tasks($see_all, $viewer_units, $viewer_leader))
ORDER BY is_principal DESC, rank NULLS LAST, leader_id
