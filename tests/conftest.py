"""Shared fixtures: a real ledger file in a temporary folder."""

from __future__ import annotations

import pytest

from etl.db import open_ledger


@pytest.fixture
def ledger(tmp_path):
    """A fresh, migrated DuckDB ledger file."""
    con = open_ledger(tmp_path / "ledger.duckdb")
    yield con
    con.close()
