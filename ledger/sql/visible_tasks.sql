-- The ids of the tasks a user may see (rules in etl/access.py): every task for the office
-- and the principal leader; for a leader, the tasks they are responsible for or issued and
-- those of the units they are in charge of (分管); for a unit, the tasks it leads or co-handles.
-- Parameters (etl.access.viewer_params): $see_all BOOLEAN, $viewer_units INTEGER[],
-- $viewer_leader INTEGER (NULL unless the user is a leader).
SELECT t.task_id
FROM tasks t
JOIN sources src USING (source_id)
WHERE $see_all::BOOLEAN
   OR t.task_id IN (
        SELECT task_id FROM task_units WHERE list_contains($viewer_units::INTEGER[], unit_id)
   )
   OR t.leader_id = $viewer_leader::INTEGER
   OR src.leader_id = $viewer_leader::INTEGER
   OR t.task_id IN (
        SELECT tu.task_id
        FROM task_units tu JOIN units u USING (unit_id)
        WHERE u.leader_id = $viewer_leader::INTEGER
   )
