-- The tasks in scope: every task the viewer may see (visible_tasks.sql) with its status as of
-- $as_of (task_status.sql), its source and responsible leader, narrowed by the dashboard's
-- filters. An empty filter list means "all".
-- Every other view reads from this one as {scope}.
-- Parameters: $as_of DATE, $soon INTEGER, $kinds VARCHAR[] (source kind codes),
-- $sources INTEGER[] (source ids), $units VARCHAR[] (lead unit names), $leaders VARCHAR[],
-- and the viewer's $see_all, $viewer_units, $viewer_leader (etl.access.viewer_params).
SELECT
    s.*,
    src.kind AS source_kind,
    k.label AS source_kind_label,
    k.sort_order AS kind_order,
    src.title AS source,
    src.date AS source_date,
    src.number AS source_number,
    src.leader_id AS issuer_id,
    l.name AS leader
FROM ({task_status}) s
JOIN sources src USING (source_id)
JOIN source_kinds k ON k.kind = src.kind
LEFT JOIN leaders l ON l.leader_id = s.leader_id
WHERE s.task_id IN ({visible_tasks})
  AND (len($kinds::VARCHAR[]) = 0 OR list_contains($kinds::VARCHAR[], src.kind))
  AND (len($sources::INTEGER[]) = 0 OR list_contains($sources::INTEGER[], s.source_id))
  AND (len($leaders::VARCHAR[]) = 0 OR list_contains($leaders::VARCHAR[], l.name))
  AND (len($units::VARCHAR[]) = 0 OR s.task_id IN (
        SELECT tu.task_id
        FROM task_units tu JOIN units u USING (unit_id)
        WHERE tu.role = 'lead' AND list_contains($units::VARCHAR[], u.name)
  ))
