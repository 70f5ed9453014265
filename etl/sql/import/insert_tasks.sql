-- Whole task rows (`task_rows`), by column name: the columns a row lacks take their defaults.
INSERT INTO tasks BY NAME
SELECT * FROM task_rows
