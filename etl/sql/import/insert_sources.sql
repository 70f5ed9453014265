-- Sources first named by this import (`new_sources`), in the order the files name them.
INSERT INTO sources (kind, title, number, date, leader_id)
SELECT kind, title, number, date, leader_id FROM new_sources ORDER BY _order
