-- The tasks in scope that leader $leader is responsible for ($role = 'responsible') or that
-- come from a source they issued ('issued'): the most overdue first, at most $limit rows;
-- `matches` is the count before the limit; per task its 催办 up to $as_of and whether a completion
-- claim waits for 核查 (claim_pending).
WITH
scope AS (
    SELECT * FROM tasks_in_scope($as_of, $soon, $see_all, $viewer_units, $viewer_leader, $kinds, $sources, $units, $leaders)
),
who AS (
    SELECT leader_id FROM leaders WHERE name = $leader
),
picked AS (
    SELECT s.*
    FROM scope s, who
    WHERE ($role = 'responsible' AND s.leader_id = who.leader_id)
       OR ($role = 'issued' AND s.issuer_id = who.leader_id)
),
page AS (
    SELECT *, count(*) OVER () AS matches
    FROM picked
    ORDER BY overdue_workdays DESC, code
    LIMIT $limit
)
SELECT
    p.code, p.source_kind_label, p.source, p.content, p.status, p.deadline_text, p.check_date AS due_date,
    un.lead_units_text AS lead_units, p.leader, p.overdue_workdays, p.closed_date, p.matches::INTEGER AS matches,
    claim_pending(p.task_id, p.status, $as_of) AS claim_pending,
    (SELECT count(*) FROM chases c WHERE c.task_id = p.task_id AND c.chased_on <= $as_of::DATE)::INTEGER AS chases
FROM page p
LEFT JOIN task_unit_names((SELECT list(task_id) FROM page)) un USING (task_id)
ORDER BY p.overdue_workdays DESC, p.code
