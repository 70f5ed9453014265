-- Every account's name as 操作日志 shows it (for the sign-in events kept beside the ledger).
SELECT username, name FROM account_names
