-- The source kinds the viewer's tasks come from, in the office's order (sidebar filter).
SELECT k.kind, k.label
FROM source_kinds k
WHERE k.kind IN (
    SELECT src.kind
    FROM sources src
    JOIN visible_tasks($see_all, $viewer_units, $viewer_leader) t USING (source_id)
)
ORDER BY k.sort_order
