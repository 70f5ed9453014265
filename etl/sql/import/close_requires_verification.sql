-- The office's setting: whether 销号 needs a passed 核查 (是, the default) or the office may close
-- directly with a note (否).
SELECT coalesce(max(value), '是') AS value
FROM settings
WHERE key = 'close_requires_verification'
