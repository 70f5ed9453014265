"""What the ledger remembers about its own changes, for the 督查室 only: the import history
(import_batches, import_files) and the audit trail (audit_log, append-only), in the office's
words: people and units by name, actions, fields and coded values by their labels
(ledger.vocabulary), nothing shown as "None"."""

from __future__ import annotations

import zlib
from datetime import date, datetime, time, timedelta

import duckdb
import polars as pl

from ledger import signins, sql, vocabulary
from ledger.access import User, require

HISTORY_LIMIT = 200
AUDIT_LIMIT = 5000
CARRIED_NOTE = "恢复前的记录"   # an entry a restore carried over from the ledger it replaced


def person(name: pl.Expr, username: pl.Expr) -> pl.Expr:
    """Who a username is: the account's name (views account_names), the ledger's own actors in
    words (命令行, 演示数据), else the name as written (a name tried at a failed login)."""
    system = username.replace_strict(vocabulary.SYSTEM_ACTORS, default=None, return_dtype=pl.String)
    return pl.coalesce(name, system, username)


def batches(con: duckdb.DuckDBPyConnection, viewer: User, limit: int = HISTORY_LIMIT) -> pl.DataFrame:
    """The latest import batches, newest first; created_by is the importing person's name."""
    require(viewer, "read_imports")
    frame = sql.frame(con, "history/batches", limit=limit)
    return frame.with_columns(created_by=person(pl.col("created_by_name"), pl.col("created_by"))).drop(
        "created_by_name"
    )


def batch_files(con: duckdb.DuckDBPyConnection, viewer: User, batch_id: str) -> pl.DataFrame:
    """The files of one batch, with what each created, updated and warned about."""
    require(viewer, "read_imports")
    return sql.frame(con, "history/batch_files", batch_id=batch_id)


def imported_files(con: duckdb.DuckDBPyConnection, viewer: User, batch_id: str) -> list[tuple[str, str, bytes]]:
    """The files of one batch as imported, to download again: (file name, sheet, bytes), the
    files kept (those imported since migration 006) only."""
    require(viewer, "read_imports")
    frame = sql.frame(con, "history/imported_files", batch_id=batch_id)
    return [(name, sheet, zlib.decompress(packed)) for name, sheet, _, packed in frame.iter_rows() if packed is not None]


def audit_entries(
    con: duckdb.DuckDBPyConnection,
    viewer: User,
    since: date,
    until: date,
    actor: str = "",
    actions: tuple[str, ...] = (),
    text: str = "",
    limit: int = AUDIT_LIMIT,
) -> pl.DataFrame:
    """Audit entries logged on days since..until (inclusive), newest first, as stored (actor,
    action, entity, entity_id, field, before, after, batch_id) and as read (actor_label,
    action_label, entity_label, object_label, field_label, before_label, after_label: text,
    never null)."""
    require(viewer, "read_audit")
    frame = sql.frame(con, "history/audit", since=since, until=until, actor=actor, actions=list(actions),
                      text=text.strip(), limit=limit)
    frame = frame.with_columns(client=pl.lit(None, pl.String))
    events = _signin_events(con, since, until, actor, actions, text.strip())
    if not events.is_empty():
        frame = pl.concat([frame, events.select(frame.columns).cast(frame.schema)]).sort(
            "logged_at", "audit_id", descending=True, nulls_last=False).head(limit)
    return frame.with_columns(
        actor_label=person(pl.col("actor_name"), pl.col("actor")),
        action_label=_labelled("action", vocabulary.AUDIT_ACTION_LABELS),
        entity_label=_labelled("entity", vocabulary.AUDIT_ENTITY_LABELS),
        object_label=_object(),
        field_label=_labelled("field", vocabulary.AUDIT_FIELD_LABELS),
        note_label=pl.when(pl.col("carried_from").is_not_null()).then(pl.lit(CARRIED_NOTE)).otherwise(pl.lit("")),
    ).pipe(_with_value_labels)


_SIGNIN_COLUMNS = {
    "audit_id": pl.Int64, "logged_at": pl.Datetime("us"), "actor": pl.String, "actor_name": pl.String,
    "action": pl.String, "entity": pl.String, "entity_id": pl.String, "entity_name": pl.String, "field": pl.String,
    "before": pl.String, "after": pl.String, "before_name": pl.String, "after_name": pl.String,
    "batch_id": pl.String, "carried_from": pl.String, "client": pl.String,
}


def _signin_events(con, since: date, until: date, actor: str, actions: tuple[str, ...], text: str) -> pl.DataFrame:
    """The sign-in store's events (ledger.signins) in the audit log's columns: the account
    tried is the actor and the entity, why is in `after`, the client address in `client`."""
    rows = signins.store_of(con).events(datetime.combine(since, time()), datetime.combine(until + timedelta(days=1), time()))
    if not rows:
        return pl.DataFrame(schema=_SIGNIN_COLUMNS)
    names = dict(sql.rows(con, "history/account_names"))
    frame = pl.DataFrame(
        [(None, r["logged_at"], r["username"], names.get(r["username"]), r["action"], "user", r["username"],
          names.get(r["username"]), None, None, r["note"], None, None, None, None, r["client"]) for r in rows],
        schema=_SIGNIN_COLUMNS, orient="row",
    )
    if actor:
        frame = frame.filter(pl.col("actor") == actor)
    if actions:
        frame = frame.filter(pl.col("action").is_in(list(actions)))
    if text:
        frame = frame.filter(pl.any_horizontal(
            pl.col(c).fill_null("").str.contains(text, literal=True) for c in ("entity_id", "entity_name", "after", "client")))
    return frame


def audit_choices(con: duckdb.DuckDBPyConnection, viewer: User) -> dict[str, dict[str, str]]:
    """The actors and actions the audit log holds, code -> what the page shows, for its filters."""
    require(viewer, "read_audit")
    frame = sql.frame(con, "history/audit_choices")
    usernames, event_actions = signins.store_of(con).choices()
    if usernames:
        names = dict(sql.rows(con, "history/account_names"))
        extra = pl.DataFrame(
            [("actor", name, names.get(name)) for name in usernames] + [("action", a, None) for a in event_actions],
            schema={"kind": pl.String, "value": pl.String, "name": pl.String}, orient="row",
        )
        frame = pl.concat([frame, extra.cast(frame.schema)]).unique(["kind", "value"], keep="first").sort("kind", "value")
    actors = frame.filter(pl.col("kind") == "actor").with_columns(label=person(pl.col("name"), pl.col("value")))
    actions = frame.filter(pl.col("kind") == "action").with_columns(
        label=pl.col("value").replace_strict(vocabulary.AUDIT_ACTION_LABELS, default=pl.col("value"))
    )
    return {
        "actor": dict(zip(actors["value"], actors["label"], strict=True)),
        "action": dict(zip(actions["value"], actions["label"], strict=True)),
    }


def _labelled(column: str, labels: dict[str, str]) -> pl.Expr:
    return pl.col(column).replace_strict(labels, default=pl.col(column), return_dtype=pl.String).fill_null("")


def _object() -> pl.Expr:
    """The entry's object as read: an account by its person's name, a task's report or request
    by the task's 督办编号, anything else by its id (a 督办编号, a unit's or leader's name)."""
    entity_id = pl.col("entity_id").fill_null("")
    return (
        pl.when(pl.col("entity") == "user").then(person(pl.col("entity_name"), pl.col("entity_id")))
        .when(pl.col("entity_name").is_not_null()).then(pl.col("entity_name"))
        .otherwise(entity_id)
        .fill_null("")
    )


def _value_codes() -> pl.DataFrame:
    """(field, value, label) for every coded value an audited field can hold."""
    rows = [(field, value, label) for field, labels in vocabulary.AUDIT_VALUE_LABELS.items()
            for value, label in labels.items()]
    rows += [(field, value, label) for field in vocabulary.AUDIT_FIELD_LABELS
             if field not in vocabulary.AUDIT_VALUE_LABELS
             for value, label in vocabulary.OLD_BOOLEANS.items()]
    return pl.DataFrame(rows, schema={"field": pl.String, "value": pl.String, "label": pl.String}, orient="row")


def _with_value_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """before_label / after_label: a username as the person, a coded value in words."""
    codes = _value_codes()
    for column in ("before", "after"):
        frame = frame.join(
            codes.rename({"value": column, "label": f"{column}_coded"}), on=["field", column], how="left",
        ).with_columns(
            pl.coalesce(f"{column}_name", f"{column}_coded", column).fill_null("").alias(f"{column}_label")
        ).drop(f"{column}_coded")
    return frame.sort("logged_at", "audit_id", descending=True, nulls_last=False)
