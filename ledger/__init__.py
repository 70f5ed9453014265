"""The ledger itself: storage and locks, schema and migrations, vocabulary, access, the audit
writer, every read query, the lifecycle actions, accounts and backup.

`etl/` reads files into it; `ui/` and `pages/` draw what it answers."""
