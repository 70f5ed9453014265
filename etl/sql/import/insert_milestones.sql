INSERT INTO milestones (task_id, seq, text, deadline)
SELECT task_id, seq, text, deadline FROM milestone_rows
