"""The one audit writer: every change to the ledger is appended here, and nowhere else.

An entry says who (the account's username; pages show the person's name), what action, on
which entity, and for a changed field its value before and after, encoded one way
(`encode`). One clock (`now`) stamps every entry of one operation alike. Nothing updates or
deletes an entry; the labels that 操作日志 and the timeline show live in ledger.vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import polars as pl

from ledger import sql

ENTRY_SCHEMA = {
    "_order": pl.Int64, "action": pl.String, "entity": pl.String, "entity_id": pl.String,
    "field": pl.String, "before": pl.String, "after": pl.String,
}
YES, NO = "是", "否"


def now() -> datetime:
    """The ledger's clock: local wall time to the second, as the office reads it."""
    return datetime.now().replace(microsecond=0)


def encode(value) -> str | None:
    """A value as the audit log stores it: booleans 是/否, dates ISO, lists joined by 、,
    nothing as NULL (never the text "None")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or None
    return str(value)


@dataclass(frozen=True)
class Entry:
    action: str
    entity: str
    entity_id: object
    field: str | None = None
    before: object = None
    after: object = None


def changes(action: str, entity: str, entity_id, fields: Mapping[str, tuple], *, only_changed: bool = True) -> list[Entry]:
    """One entry per field of `fields` (field -> (before, after)) whose value changed."""
    return [
        Entry(action, entity, entity_id, name, before, after)
        for name, (before, after) in fields.items()
        if not only_changed or encode(before) != encode(after)
    ]


def record(
    con: duckdb.DuckDBPyConnection,
    actor: str,
    entries: Iterable[Entry],
    *,
    batch_id: str | None = None,
    at: datetime | None = None,
) -> int:
    """Appends entries in order, in the caller's transaction; returns how many."""
    rows = [
        (i, e.action, e.entity, encode(e.entity_id), e.field, encode(e.before), encode(e.after))
        for i, e in enumerate(entries)
    ]
    if not rows:
        return 0
    return record_frame(con, actor, pl.DataFrame(rows, schema=ENTRY_SCHEMA, orient="row"), batch_id=batch_id, at=at)


def record_one(
    con: duckdb.DuckDBPyConnection, actor: str, action: str, entity: str, entity_id, *,
    field: str | None = None, before=None, after=None, batch_id: str | None = None, at: datetime | None = None,
) -> int:
    return record(con, actor, [Entry(action, entity, entity_id, field, before, after)], batch_id=batch_id, at=at)


def record_frame(
    con: duckdb.DuckDBPyConnection,
    actor: str,
    frame: pl.DataFrame,
    *,
    batch_id: str | None = None,
    at: datetime | None = None,
) -> int:
    """Appends a frame of entries (ENTRY_SCHEMA's columns, text already encoded; `_order`
    optional) in one statement: the bulk path for imports."""
    if frame.is_empty():
        return 0
    if "_order" not in frame.columns:
        frame = frame.with_row_index("_order")
    entries = frame.select(pl.col(name).cast(dtype) for name, dtype in ENTRY_SCHEMA.items())
    con.register("audit_entries", entries)
    try:
        sql.execute(con, "audit/append", logged_at=at or now(), actor=actor, batch_id=batch_id)
    finally:
        con.unregister("audit_entries")
    return entries.height
