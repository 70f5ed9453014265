"""Precision and recall of the minutes reader on two labelled sets: bench/minutes_set.py (written
before the rules were tuned, then used to tune them) and bench/minutes_holdout.py (written after,
never used for tuning: the honest figure).

Run: .venv/bin/python bench/bench_minutes.py [-v]

An expected item is found when one proposed item's sentence contains its key text; a proposed
item matching no key is extra. Lead units are compared for the items found.
Targets: recall >= 95%, extra items <= 5% of items found.

The same sets are then imported end to end (etl.minutes_import through etl.importer into a fresh
DuckDB ledger per document, as `python -m etl load 纪要.txt` does): an expected item is found when
a task in the ledger holds its key text. A document the import refuses counts all its items as
missed, so this figure is never better than what reaches the ledger.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import minutes_holdout, minutes_set  # noqa: E402
from etl.minutes import read_minutes  # noqa: E402


def evaluate(docs: list[dict], verbose: bool = False) -> dict[str, float]:
    expected_total = found_total = extra_total = proposed_total = units_right = 0
    for doc in docs:
        minutes = read_minutes(doc["text"])
        items = list(minutes.items)
        proposed_total += len(items)
        matched: set[int] = set()
        for key, leads in doc["expected"]:
            expected_total += 1
            # One proposed item answers one expected item: an unsplit sentence does not count twice.
            hits = [index for index, item in enumerate(items) if key in item.sentence and index not in matched]
            if hits:
                found_total += 1
                matched.add(hits[0])
                item = items[hits[0]]
                if tuple(item.lead_units) == tuple(leads):
                    units_right += 1
                elif verbose:
                    print(f"  [单位不符] {doc['name']}：{key} -> {item.lead_units}，应为 {leads}")
            elif verbose:
                print(f"  [漏识别] {doc['name']}：{key}")
        for index, item in enumerate(items):
            if index not in matched:
                extra_total += 1
                if verbose:
                    print(f"  [多识别] {doc['name']}：{item.sentence}")
    return {
        "documents": len(docs),
        "expected": expected_total,
        "proposed": proposed_total,
        "found": found_total,
        "extra": extra_total,
        "recall": found_total / expected_total,
        "extra_share": extra_total / max(proposed_total, 1),
        "precision": (proposed_total - extra_total) / max(proposed_total, 1),
        "lead_units_right": units_right / max(found_total, 1),
    }


def evaluate_ledger(docs: list[dict], verbose: bool = False) -> dict[str, float]:
    """Each document imported into its own fresh ledger; the tasks it holds are matched by key."""
    import tempfile

    from etl import minutes_import
    from etl.importer import InputFile, LoadOptions, import_files, read_files
    from ledger.db import open_ledger

    expected_total = found_total = extra_total = proposed_total = refused = 0
    with tempfile.TemporaryDirectory() as folder:
        for number, doc in enumerate(docs):
            con = open_ledger(Path(folder) / f"ledger{number}.duckdb")
            try:
                files = [InputFile(f"{doc['name']}.txt", doc["text"].encode("utf-8"))]
                parsed = minutes_import.prepare(read_files(files, isolated=False), LoadOptions())
                result = import_files(con, files, parsed=parsed)
                contents = [content for (content,) in con.execute("SELECT content FROM tasks ORDER BY task_id").fetchall()]
            finally:
                con.close()
            if not result.committed:
                refused += 1
                if verbose:
                    print(f"  [导入被拒] {doc['name']}：{[error.message for error in result.files[0].errors][:3]}")
            proposed_total += len(contents)
            matched: set[int] = set()
            for key, _ in doc["expected"]:
                expected_total += 1
                hits = [index for index, content in enumerate(contents) if key in content and index not in matched]
                if hits:
                    found_total += 1
                    matched.add(hits[0])
                elif verbose:
                    print(f"  [未入台账] {doc['name']}：{key}")
            extra_total += len(contents) - len(matched)
    return {
        "documents": len(docs), "refused": refused, "expected": expected_total, "proposed": proposed_total,
        "found": found_total, "extra": extra_total, "recall": found_total / expected_total,
        "extra_share": extra_total / max(proposed_total, 1),
    }


def main() -> None:
    verbose = "-v" in sys.argv
    sets = (("调试集 minutes_set（规则据此调整）", minutes_set.DOCS),
            ("留出集 minutes_holdout（未用于调整）", minutes_holdout.DOCS))
    for name, docs in sets:
        print(f"== {name}")
        report(evaluate(docs, verbose=verbose))
    for name, docs in sets:
        print(f"== 导入台账后（端到端）：{name}")
        figures = evaluate_ledger(docs, verbose=verbose)
        print(f"文档 {figures['documents']} 篇（导入被拒 {figures['refused']} 篇），应入台账事项 {figures['expected']} 条，"
              f"台账中 {figures['proposed']} 条")
        print(f"召回率 recall    = {figures['found']}/{figures['expected']} = {figures['recall']:.1%}")
        print(f"多识别 extra     = {figures['extra']}/{figures['proposed']} = {figures['extra_share']:.1%}")


def report(figures: dict[str, float]) -> None:
    print(f"文档 {figures['documents']} 篇，应识别事项 {figures['expected']} 条，识别出 {figures['proposed']} 条")
    print(f"召回率 recall    = {figures['found']}/{figures['expected']} = {figures['recall']:.1%}")
    print(f"多识别 extra     = {figures['extra']}/{figures['proposed']} = {figures['extra_share']:.1%}")
    print(f"精确率 precision = {figures['precision']:.1%}")
    print(f"牵头单位一致     = {figures['lead_units_right']:.1%}（已识别事项中）")


if __name__ == "__main__":
    main()
