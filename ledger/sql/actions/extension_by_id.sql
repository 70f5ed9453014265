SELECT e.*, t.code, t.lifecycle
FROM extensions e
JOIN tasks t USING (task_id)
WHERE e.extension_id = $extension_id
