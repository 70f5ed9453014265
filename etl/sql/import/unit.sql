SELECT unit_id, kind, leader_id FROM units WHERE name = $name
