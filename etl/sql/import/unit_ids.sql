SELECT name, unit_id FROM units
