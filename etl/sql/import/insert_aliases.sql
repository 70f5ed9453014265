-- Names the files wrote for a unit (`new_aliases`: alias, canonical), kept for later imports.
INSERT INTO unit_aliases
SELECT a.alias, u.unit_id FROM new_aliases a JOIN units u ON u.name = a.canonical
ON CONFLICT DO NOTHING
