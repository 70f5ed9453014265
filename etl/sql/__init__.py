"""The project's SQL lives in .sql files beside this module; this loads it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent
_BLOCK = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)


@cache
def query(name: str) -> str:
    """The whole text of etl/sql/NAME.sql."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@cache
def statements(name: str) -> dict[str, str]:
    """The `-- name: x` blocks of etl/sql/NAME.sql, in file order."""
    text = query(name)
    parts = _BLOCK.split(text)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}
