-- Every leader a task list names for a task (张伟、李娜; 副区长王海), in the order written (issue 9).
-- The first is also tasks.leader_id, so every view that reads one responsible leader still
-- works; `written` keeps the leader as the list wrote them, title and all (副区长王海).
CREATE TABLE task_leaders (
    task_id   INTEGER NOT NULL,
    position  INTEGER NOT NULL,        -- from 1, in the order written
    leader_id INTEGER NOT NULL,
    written   VARCHAR,                 -- as written, with the title (副区长王海); NULL when the name alone
    batch_id  VARCHAR NOT NULL,
    PRIMARY KEY (task_id, position)
);

-- A leader named second (张伟、李娜: 李娜) is as responsible as the first: the tasks a leader may
-- see include those. Otherwise as 005_shared_relations.sql defines it.
CREATE OR REPLACE MACRO visible_tasks(see_all, viewer_units, viewer_leader) AS TABLE
SELECT t.*
FROM tasks t
WHERE see_all::BOOLEAN
   OR t.leader_id = viewer_leader::INTEGER
   OR t.source_id IN (
        SELECT src.source_id
        FROM sources src
        WHERE NOT see_all::BOOLEAN AND src.leader_id = viewer_leader::INTEGER
   )
   OR t.task_id IN (
        SELECT tu.task_id
        FROM task_units tu JOIN units u USING (unit_id)
        WHERE NOT see_all::BOOLEAN
          AND (list_contains(viewer_units::INTEGER[], tu.unit_id) OR u.leader_id = viewer_leader::INTEGER)
   )
   OR t.task_id IN (
        SELECT tl.task_id
        FROM task_leaders tl
        WHERE NOT see_all::BOOLEAN AND tl.leader_id = viewer_leader::INTEGER
   );
