-- A unit by its name as stored or by any of its aliases.
SELECT u.unit_id, u.name
FROM units u
WHERE u.name = $name
   OR u.unit_id IN (SELECT unit_id FROM unit_aliases WHERE alias = $name)
ORDER BY u.name = $name DESC
LIMIT 1
