-- How many months after closing a rectification's 回头看 falls due (settings.lookback_months),
-- as lookback_state reads it.
SELECT coalesce(max(TRY_CAST(value AS INTEGER)), 3) FROM settings WHERE key = 'lookback_months'
