-- `rectification_rows` (task_id, category, content, measures) of tasks that have their row;
-- what the office records later (回头看) stays.
UPDATE rectifications
SET problem_type = r.category, problem = r.content, measures = r.measures
FROM rectification_rows r
WHERE rectifications.task_id = r.task_id
