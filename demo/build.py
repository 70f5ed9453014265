"""Builds the demo ledger: the fictional district's lists, written for today and loaded
through the ordinary import path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from demo.generator import build_demo_files
from etl.importer import ImportResult, InputFile, LoadOptions, import_files
from ledger.db import ROOT

DEMO_DIR = ROOT / "data" / "demo"


def load_demo(con: duckdb.DuckDBPyConnection, today: date | None = None, out_dir: Path = DEMO_DIR) -> ImportResult:
    """Writes the demo files for `today` and imports them one by one, each with its own source."""
    today = today or date.today()
    out_dir.mkdir(parents=True, exist_ok=True)
    reports = []
    batch_id = None
    for demo in build_demo_files(out_dir, today):
        options = LoadOptions(
            source_kind=demo.source_kind, source_title=demo.source_title, source_date=demo.source_date,
            sheet=demo.sheet, actor="demo", today=today,
        )
        result = import_files(con, [InputFile.from_path(demo.path)], options)
        reports.extend(result.files)
        if result.has_errors:
            return ImportResult(committed=False, batch_id=None, files=reports)
        batch_id = result.batch_id or batch_id
    return ImportResult(committed=True, batch_id=batch_id, files=reports)
