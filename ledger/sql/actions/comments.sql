-- The 批示 and 督办意见 on task $task_id, oldest first.
SELECT comment_id, kind, text, author, author_role, created_at
FROM task_comments
WHERE task_id = $task_id
ORDER BY created_at, comment_id
