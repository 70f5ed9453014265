"""The one audit writer: every change to the ledger is appended here, and nowhere else
(ledger/sql/audit/: append_entries.sql for one operation's entries, append.sql for an
import's frame, append_carried.sql for the later history a restore carries over).

An entry says who (the account's username; pages show the person's name), what action, on
which entity, and for a changed field its value before and after, encoded one way
(`encode`). One clock, local wall time to the second (`now`, or the caller's transaction
start when no time is given), stamps every entry of one operation alike. Nothing updates or
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


def encode_column(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """`encode` over a whole column of dtype, for record_frame: the same text, row by row."""
    if dtype == pl.Boolean:
        return pl.when(column).then(pl.lit(YES)).when(~column).then(pl.lit(NO))
    if dtype == pl.Datetime:
        return column.dt.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(dtype, pl.List):
        joined = column.list.eval(pl.element().cast(pl.String)).list.join("、")
        return pl.when(joined != "").then(joined)
    return column.cast(pl.String)


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
    """Appends entries in order, in the caller's transaction; returns how many. They are
    stamped `at`, or else with the start of that transaction (the same local wall clock as
    `now`, read by DuckDB, to the second), so the entries of one operation share one time
    however many calls write them.

    The entries travel as list parameters, not as a registered frame: DuckDB refuses to
    register on a connection that still holds a pending result (a fetchone() just before, as
    account and action code do), while a new statement simply ends that result."""
    entries = list(entries)
    if not entries:
        return 0
    sql.execute(
        con, "audit/append_entries", logged_at=at, actor=actor, batch_id=batch_id,
        actions=[e.action for e in entries], entities=[e.entity for e in entries],
        entity_ids=[encode(e.entity_id) for e in entries], fields=[e.field for e in entries],
        befores=[encode(e.before) for e in entries], afters=[encode(e.after) for e in entries],
    )
    return len(entries)


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


CARRIED_FIELD = "carried_entries"   # the `carry` entry's field: its `after` is "<first id>-<last id>"


def carry(con: duckdb.DuckDBPyConnection, actor: str, ledger_name: str, carried_from: str, after_id: int) -> int:
    """A restore's carrying over (ledger.backup): appends every entry of the replaced ledger,
    attached to `con` as `cur`, whose audit_id is past `after_id` (the backup's last entry), in
    order and as they were; then one `carry` entry on the ledger saying which ids they got
    (field carried_entries, before: the replaced file's name, after: "<first>-<last>"), which is
    how 操作日志 tells them apart. Returns how many were carried."""
    entries, last_id = sql.one(con, "restore/audit_count")
    sql.execute(con, "audit/append_carried", after_id=after_id)
    carried, new_last = sql.one(con, "restore/audit_count")
    if carried == entries:
        return 0
    first = sql.one(con, "restore/first_id_after", after_id=last_id)[0]
    record_one(con, actor, "carry", "ledger", ledger_name, field=CARRIED_FIELD, before=carried_from,
               after=f"{first}-{new_last}")
    return carried - entries
