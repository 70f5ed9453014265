-- A unit the office's own unit list names in full (区住房和城乡建设局) where the ledger held it
-- under the short form its task lists wrote (区住建局): the office's name it takes; links are
-- by id, and the old name stays an alias (insert_aliases).
UPDATE units SET name = $name WHERE unit_id = $unit_id
