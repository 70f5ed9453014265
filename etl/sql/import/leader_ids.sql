SELECT name, leader_id FROM leaders
