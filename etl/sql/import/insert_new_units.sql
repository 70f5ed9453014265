-- Units first named in a task list (`new_units`: _order, name, kind, is_collective).
INSERT INTO units (name, kind, is_collective, created_batch)
SELECT name, kind, is_collective, $batch FROM new_units ORDER BY _order
