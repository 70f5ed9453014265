SELECT a.alias, u.name FROM unit_aliases a JOIN units u USING (unit_id)
