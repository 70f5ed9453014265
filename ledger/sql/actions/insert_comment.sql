INSERT INTO task_comments (task_id, author, author_role, kind, text, created_at)
VALUES ($task_id, $author, $author_role, $kind, $text, current_localtimestamp())
RETURNING comment_id
