UPDATE units SET kind = $kind, leader_id = $leader_id WHERE unit_id = $unit_id
