"""Shared pieces of the dashboard: the ledger connection and sidebar filters (state), cached
queries (data), colours and chart style (palette, charts), Excel export (export)."""
