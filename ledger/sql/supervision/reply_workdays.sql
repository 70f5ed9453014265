-- How many working days a unit has to answer a 催办单 (migration 008; 3 unless the office changed it).
SELECT coalesce(max(value), '3') FROM settings WHERE key = 'notice_reply_workdays'
