-- 操作日志: the audit trail, newest first, narrowed by day range, who, what and which item,
-- with the names of the people behind usernames (the actor, an account entry's account, the
-- username-valued fields) and the 督办编号 of the task a progress report, extension request,
-- comment or verification belongs to. Empty text matches everything; $text searches the
-- entity, the values and the actor's name, literally. carried_from: the replaced file an entry
-- was carried over from by a restore (shown as 恢复前的记录).
WITH entries AS (
    SELECT *
    FROM audit_log
    WHERE logged_at >= $since::DATE
      AND logged_at < $until::DATE + INTERVAL 1 DAY
      AND ($actor = '' OR actor = $actor)
      AND (len($actions::VARCHAR[]) = 0 OR list_contains($actions::VARCHAR[], action))
),
-- A restore's `carry` entry names the ids of the entries it carried over ("first-last"). One
-- that was itself carried by a later restore speaks of another file's ids: only the carry
-- entries outside every other's range count.
carries AS (
    SELECT audit_id, before AS carried_from,
           TRY_CAST(split_part(after, '-', 1) AS BIGINT) AS first_id,
           TRY_CAST(split_part(after, '-', 2) AS BIGINT) AS last_id
    FROM audit_log
    WHERE action = 'carry' AND field = 'carried_entries'
),
live_carries AS (
    SELECT c.*
    FROM carries c
    WHERE NOT EXISTS (SELECT 1 FROM carries o WHERE c.audit_id BETWEEN o.first_id AND o.last_id)
),
task_of AS (
    SELECT 'progress' AS entity, CAST(progress_id AS VARCHAR) AS entity_id, task_id FROM progress
    UNION ALL
    SELECT 'extension', CAST(extension_id AS VARCHAR), task_id FROM extensions
    UNION ALL
    SELECT 'comment', CAST(comment_id AS VARCHAR), task_id FROM task_comments
    UNION ALL
    SELECT 'verification', CAST(verification_id AS VARCHAR), task_id FROM verifications
),
named AS (
    SELECT
        e.audit_id, e.logged_at, e.actor,
        actor_name.name AS actor_name,
        e.action, e.entity, e.entity_id,
        CASE
            WHEN e.entity = 'user' THEN entity_name.name
            WHEN e.entity IN ('progress', 'extension', 'comment', 'verification') THEN t.code
        END AS entity_name,
        e.field, e.before, e.after,
        CASE WHEN e.field IN ('reported_by', 'requested_by', 'decided_by', 'verifier', 'author')
             THEN before_name.name END AS before_name,
        CASE WHEN e.field IN ('reported_by', 'requested_by', 'decided_by', 'verifier', 'author')
             THEN after_name.name END AS after_name,
        e.batch_id, carried.carried_from
    FROM entries e
    LEFT JOIN account_names actor_name ON actor_name.username = e.actor
    LEFT JOIN account_names entity_name ON entity_name.username = e.entity_id AND e.entity = 'user'
    LEFT JOIN task_of USING (entity, entity_id)
    LEFT JOIN tasks t ON t.task_id = task_of.task_id
    LEFT JOIN account_names before_name ON before_name.username = e.before
    LEFT JOIN account_names after_name ON after_name.username = e.after
    LEFT JOIN live_carries carried ON e.audit_id BETWEEN carried.first_id AND carried.last_id
)
SELECT *
FROM named
WHERE $text = ''
   OR contains(entity_id, $text) OR contains(coalesce(entity_name, ''), $text)
   OR contains(coalesce(before, ''), $text) OR contains(coalesce(after, ''), $text)
   OR contains(coalesce(actor_name, actor), $text)
ORDER BY audit_id DESC
LIMIT $limit
