-- Leaders first named in a task list (`new_leaders`: _order, name).
INSERT INTO leaders (name) SELECT name FROM new_leaders ORDER BY _order
