UPDATE extensions
SET decision = $decision, decided_date = $decided_date, decided_by = $decided_by, decision_note = $decision_note
WHERE extension_id = $extension_id AND decision = 'pending'
