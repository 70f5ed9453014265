-- The units of one task, leads first, in the order written.
SELECT u.unit_id, u.name, tu.role
FROM task_units tu
JOIN units u USING (unit_id)
WHERE tu.task_id = $task_id
ORDER BY tu.role = 'co', tu.position
