"""One vocabulary (ledger/vocabulary.py): every code the code base can write has the office's
word for it, found by reading the code rather than from a list kept beside it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ledger import vocabulary
from ledger.db import open_ledger, sync_vocabulary

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"[a-z][a-z_/]*")
# Parameters through which a function hands an audit entry's action / entity / fields on.
CODE_PARAMETERS = {"action", "entity"}
FIELD_PARAMETERS = {"changes", "fields", "values"}


def _modules() -> list[Path]:
    return [file for folder in ("ledger", "etl", "demo") for file in (ROOT / folder).rglob("*.py")]


# The audit writer's entry points (ledger.audit); every function that calls one of them, or
# a function that does, writes audit entries too, and so does any helper named _audit*.
WRITERS = {"record", "record_one", "record_frame", "changes", "Entry"}


def _called(node: ast.AST) -> set[str]:
    return {c.func.attr if isinstance(c.func, ast.Attribute) else getattr(c.func, "id", "")
            for c in ast.walk(node) if isinstance(c, ast.Call)}


def _audit_functions(trees: list[ast.Module]) -> dict[str, dict[str, int]]:
    """Functions that write audit entries, directly or through others, with the position of
    each parameter that carries an action, an entity or a fields mapping."""
    defs = [n for tree in trees for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    writers = set(WRITERS) | {d.name for d in defs if d.name.startswith("_audit")}
    grown = True
    while grown:
        before = len(writers)
        writers |= {d.name for d in defs if _called(d) & writers}
        grown = len(writers) > before
    found: dict[str, dict[str, int]] = {}
    for d in defs:
        if d.name in writers:
            names = [a.arg for a in d.args.posonlyargs + d.args.args + d.args.kwonlyargs]
            wanted = {name: i for i, name in enumerate(names) if name in CODE_PARAMETERS | FIELD_PARAMETERS}
            found.setdefault(d.name, {}).update(wanted)
    return found


def _written_codes() -> tuple[set[str], set[str]]:
    """(action or entity codes, field codes) passed as literals to any function that writes
    audit entries, in ledger/, etl/ and demo/."""
    trees = [ast.parse(file.read_text(encoding="utf-8")) for file in _modules()]
    functions = _audit_functions(trees)
    codes, fields = set(), set()
    for function in (n for tree in trees for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.Module)):
        for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
            for param, position in functions.get(name, {}).items():
                args = [k.value for k in call.keywords if k.arg == param]
                if position < len(call.args):
                    args.append(call.args[position])
                for arg in args:
                    if param in CODE_PARAMETERS and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        codes.add(arg.value)
                    if param in FIELD_PARAMETERS:
                        fields |= _keys(arg, function)
    return {c for c in codes if CODE.fullmatch(c)}, fields


def _keys(arg: ast.AST, scope: ast.AST) -> set[str]:
    """The literal keys of the field mappings an argument builds: a dict literal (also as a
    helper's argument, `_created({...})`), or the dicts assigned in `scope` to the name passed."""
    parts = [arg, *arg.args] if isinstance(arg, ast.Call) else [arg]
    names = {p.id for p in parts if isinstance(p, ast.Name)}
    dicts = [p for p in parts if isinstance(p, ast.Dict)]
    for node in ast.walk(scope):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AugAssign | ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id in names for t in targets) and node.value is not None:
            dicts += [n for n in ast.walk(node.value) if isinstance(n, ast.Dict)]
    return {k.value for d in dicts for k in d.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}


def test_the_code_scan_finds_what_the_ledger_writes():
    """A guard on the scan itself: it sees the codes of accounts, actions and backup."""
    codes, fields = _written_codes()
    assert {"login", "login_failed", "logout", "comment", "submit_progress", "request_extension", "restore",
            "user", "task", "progress", "extension"} <= codes
    assert {"password", "display_name", "claim_state", "decision", "lifecycle", "text"} <= fields


def test_every_action_entity_and_field_written_in_the_code_has_a_label():
    codes, fields = _written_codes()
    labelled = vocabulary.AUDIT_ACTION_LABELS.keys() | vocabulary.AUDIT_ENTITY_LABELS.keys()
    assert codes - labelled == set()
    assert fields - vocabulary.AUDIT_FIELD_LABELS.keys() == set()


def test_every_import_field_has_a_label():
    from ledger import task_fields

    assert {f.name for f in task_fields.FIELDS if f.updatable} <= vocabulary.AUDIT_FIELD_LABELS.keys()


def test_every_status_the_sql_computes_has_a_label():
    """Status codes are the lower-case literals the status SQL produces (the files that write
    'done_late'); each is labelled, and the labels are what the statuses read as."""
    files = [f for f in (ROOT / "ledger" / "sql").rglob("*.sql") if "'done_late'" in f.read_text(encoding="utf-8")]
    assert files
    written = set()
    for file in files:
        written |= set(re.findall(r"(?:THEN|ELSE)\s+'([a-z_]+)'", file.read_text(encoding="utf-8")))
    assert {"overdue", "done_on_time", "done_late"} <= written
    # 013 also redefines 整改情况 (rectification_status) beside the status rule: its codes have their own words.
    assert written - vocabulary.STATUS_LABELS.keys() - vocabulary.RECTIFICATION_STATUS_LABELS.keys() == set()
    assert set(vocabulary.DONE_STATUSES) < set(vocabulary.FINISHED_STATUSES) <= set(vocabulary.STATUS_LABELS)


def test_every_role_has_a_label_and_the_labels_live_once():
    from ledger import access

    assert access.ROLE_LABELS is vocabulary.ROLE_LABELS
    written_again = re.compile(r"""["']office["']\s*:\s*["']督查室|WHEN\s+'office'\s+THEN\s+'督查室'""")
    files = [*_modules(), *(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").rglob("*.py"), *(ROOT / "ledger").rglob("*.sql")]
    offenders = [f.relative_to(ROOT).as_posix() for f in files
                 if f.name != "vocabulary.py" and written_again.search(f.read_text(encoding="utf-8"))]
    assert offenders == []


def test_source_kinds_and_roles_tables_follow_the_vocabulary(tmp_path):
    con = open_ledger(tmp_path / "ledger.duckdb")
    try:
        rows = con.execute("SELECT kind, label, is_meeting, is_rectification FROM source_kinds ORDER BY sort_order")
        assert rows.fetchall() == [(c, k.label, k.is_meeting, k.is_rectification)
                                   for c, k in vocabulary.SOURCE_KINDS.items()]
        # A ledger whose table says something else (an older program's words) is put right on open.
        con.execute("UPDATE source_kinds SET label = '旧名称' WHERE kind = 'executive'")
        assert sync_vocabulary(con) is True
        assert con.execute("SELECT label FROM source_kinds WHERE kind = 'executive'").fetchone() == ("常务会议",)
        assert sync_vocabulary(con) is False
        assert con.execute("SELECT role, label FROM roles ORDER BY sort_order").fetchall() == list(
            vocabulary.ROLE_LABELS.items())
    finally:
        con.close()


@pytest.mark.parametrize("module", ["etl.sources", "etl.importer", "ui.upload"])
def test_source_kind_words_come_from_the_vocabulary(module):
    imported = __import__(module, fromlist=["KIND_LABELS"])
    assert imported.KIND_LABELS is vocabulary.KIND_LABELS


def test_value_labels_and_old_booleans():
    assert vocabulary.value_label("decision", "approved") == "批准"
    assert vocabulary.value_label("claims_done", "true") == "是"
    assert vocabulary.value_label("text", None) == ""
    assert vocabulary.action_label("claim_done") == "申请办结"
    assert vocabulary.field_label("display_name") == "显示名"


def test_the_sql_done_macro_agrees_with_the_vocabulary(tmp_path):
    con = open_ledger(tmp_path / "ledger.duckdb")
    try:
        done = {s for s in vocabulary.STATUS_LABELS if con.execute("SELECT is_done(?)", [s]).fetchone()[0]}
    finally:
        con.close()
    assert done == set(vocabulary.DONE_STATUSES)


def test_every_permission_has_a_label():
    from ledger.access import PERMISSIONS

    assert PERMISSIONS.keys() == vocabulary.PERMISSION_LABELS.keys()
