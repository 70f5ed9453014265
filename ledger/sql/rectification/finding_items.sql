-- The 督查发现问题整改 items already created in source ($kind, $title) from task $prefix's failed
-- 核查 (their 序号 is the task's 督办编号, a dash and a number): how many, and the new one's code
-- when $item names it.
SELECT
    count(*) AS items,
    max(CASE WHEN t.item = $item THEN t.code END) AS code
FROM tasks t
JOIN sources s USING (source_id)
WHERE s.kind = $kind AND s.title = $title AND starts_with(t.item, $prefix || '-')
