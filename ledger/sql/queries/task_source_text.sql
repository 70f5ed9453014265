-- The sentence of minutes or a 批示 that task $task_id was read from, and its paragraph, as the
-- import kept them (etl/minutes_import.py: the columns 原文 and 原文段落, kept per task).
SELECT
    max(value) FILTER (WHERE name = '原文') AS sentence,
    max(value) FILTER (WHERE name = '原文段落') AS paragraph
FROM task_kept_columns
WHERE task_id = $task_id
