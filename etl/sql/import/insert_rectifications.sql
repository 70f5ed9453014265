INSERT INTO rectifications (task_id, problem_type, problem, measures)
SELECT task_id, category, content, measures
FROM rectification_rows r
WHERE NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.task_id = r.task_id)
