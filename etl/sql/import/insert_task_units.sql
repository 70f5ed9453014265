-- `unit_links` (task_id, unit_id, role, position): leads from position 1, co-units from 101.
INSERT INTO task_units (task_id, unit_id, role, position)
SELECT task_id, unit_id, role, position FROM unit_links
