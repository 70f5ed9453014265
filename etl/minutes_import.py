"""Minutes and 批示 documents into the one import path, as a list with one row per item.

The reader (etl.minutes) proposes items; this module turns a reading into the same ``Sheet`` a
task list gives (etl.reader), so the importer validates, flags and writes it exactly as it does a
list: 序号 is the item's stable label (一, 一(2), 二(三)) so revised minutes update by item, as a
list updates by 序号; the units, leader and deadline go in their columns *as written* and are read
again by the importer's own functions (a missing one is the importer's flag, never a guess); the
meeting (or the 批示's leader and date) is the source. The exact sentence and its paragraph travel
as columns the importer keeps per task (原文, 原文段落), which the task's detail shows.

Who calls what:
- etl.reader.read_file reads a .docx or a minutes .txt in the sandbox's child process and calls
  ``minutes_sheet`` there; the Sheet carries the reading (``Sheet.minutes``) and the document's
  lines.
- ``prepare(parsed, options, choices)`` (the CLI's load, the upload page) applies the import
  options (来源类型/名称/日期 override the document: the lines are read again with them) and the
  clerk's review choices (items unticked, rejected sentences added) to those Sheets.
- ``preview(sheet)`` is the review's content: items with sentence, paragraph, units, deadline and
  flags; the sentences judged not to be items, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import polars as pl

from etl.deadlines import DeadlineError, parse_deadline
from etl.headers import map_headers
from etl.minutes import _DEADLINE_PHRASES, Item, Minutes, item_from_sentence, read_minutes
from etl.reader import ROW, Sheet
from etl.sources import kind_code
from ledger.workcal import WorkCalendar

__all__ = ["COLUMNS", "Choice", "choose", "is_minutes", "minutes_sheet", "prepare", "preview", "with_options"]

SHEET_NAME = "纪要"
# The columns of the sheet a reading becomes: the importer's own header names, then the ones it
# keeps per task as written (原文, 原文段落, 识别说明).
COLUMNS = {
    "item": "序号",
    "content": "事项",
    "lead": "牵头单位",
    "co": "配合单位",
    "leader": "责任领导",
    "deadline": "完成时限",
    "title": "会议名称",
    "date": "会议日期",
    "kind": "来源类型",
    "directive_leader": "批示领导",
    "directive_date": "批示时间",
    "directive_number": "文号",
    "sentence": "原文",
    "paragraph": "原文段落",
    "notes": "识别说明",
}
SENTENCE_COLUMN = COLUMNS["sentence"]
PARAGRAPH_COLUMN = COLUMNS["paragraph"]
_CALENDAR = WorkCalendar()
# Flags the importer raises itself when a column is empty (待补 unit or deadline): not repeated.
_IMPORTER_FLAGS = {"待补"}


@dataclass(frozen=True)
class Choice:
    """The clerk's review of one document: items left out (by 序号) and rejected sentences taken
    in (by their reading order, Rejected.order)."""

    skip: frozenset[str] = frozenset()
    add: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.skip and not self.add


@dataclass(frozen=True)
class _Added:
    """A rejected sentence the clerk took in, made an item."""

    order: int
    item: Item


@dataclass
class Reading:
    """What Sheet.minutes holds: the reading, the lines it was read from, and the review."""

    minutes: Minutes
    lines: tuple[str, ...]
    choice: Choice = field(default_factory=Choice)
    added: tuple[_Added, ...] = ()

    @property
    def chosen(self) -> list[Item]:
        kept = [item for item in self.minutes.items if item.seq not in self.choice.skip]
        return kept + [added.item for added in self.added]


def is_minutes(sheet: Sheet) -> bool:
    return isinstance(getattr(sheet, "minutes", None), Reading)


# --------------------------------------------------------------------------- the sheet


def _names(leaders) -> str | None:
    names = [leader.name for leader in leaders if leader.name]
    return "、".join(dict.fromkeys(names)) or None


def _notes(item: Item) -> str | None:
    reasons = [flag.reason for flag in item.flags if flag.kind not in _IMPORTER_FLAGS]
    return "；".join(dict.fromkeys(reasons)) or None


def _deadline_cell(item: Item, base: date | None) -> str | None:
    """The deadline words for the 完成时限 column: the first phrase of the item's deadline text
    that reads, on its own, to the same deadline (会后5个工作日内, not the whole clause "一是区发改局要在会后5个
    工作日内报送一季度…", where a list reader would also see 一季度); the text as found otherwise."""
    deadline, text = item.deadline, item.deadline_text
    if deadline is None or not text or base is None:
        return text or None
    for match in _DEADLINE_PHRASES.finditer(text):
        phrase = match.group(0)
        for before in ("会后", "会议结束后", ""):
            if before and not text[:match.start()].endswith(before):
                continue
            candidate = before + phrase
            try:
                found = parse_deadline(candidate, base, _CALENDAR)
            except DeadlineError:
                continue
            if (found.kind, found.date, found.cycle) == (deadline.kind, deadline.date, deadline.cycle):
                return candidate
    return text


def _rows(reading: Reading) -> list[dict[str, str | None]]:
    meeting = reading.minutes.meeting
    directive = meeting.kind == "directive"
    rows = []
    for item in reading.chosen:
        row = {
            "item": item.seq,
            "content": item.sentence,
            "lead": "、".join(item.lead_units) or None,
            "co": "、".join(item.co_units) or None,
            "leader": _names(item.leaders),
            "deadline": _deadline_cell(item, meeting.date),
            "sentence": item.sentence,
            "paragraph": item.paragraph or None,
            "notes": _notes(item),
        }
        day = meeting.date.isoformat() if meeting.date else None
        if directive and _names(meeting.leaders):
            # A 批示 is a source of its own: the leader, the date and the 批示件's number.
            row |= {"directive_leader": _names(meeting.leaders[:1]), "directive_date": day,
                    "directive_number": meeting.number}
        else:
            row |= {"title": meeting.title, "date": day, "kind": meeting.kind_label}
        rows.append(row)
    return rows


def minutes_sheet(minutes: Minutes, file_name: str, lines: list[str] | tuple[str, ...],
                  reading: Reading | None = None) -> Sheet:
    """The Sheet the importer takes: one row per chosen item (ROW = its place, from 1)."""
    reading = reading or Reading(minutes, tuple(lines))
    rows = _rows(reading)
    columns = list(COLUMNS.values())
    frame = pl.DataFrame(
        {name: [row.get(key) for row in rows] for key, name in COLUMNS.items()},
        schema={name: pl.String for name in columns},
    ).with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW))
    meeting = minutes.meeting
    warnings = [f"{file_name}：按会议纪要读取（{meeting.kind_label or '类型未识别'}"
                f"{'，' + meeting.title if meeting.title else ''}），识别出{len(minutes.items)}项交办事项，"
                f"{len(minutes.rejected)}句未列为事项"]
    warnings += [f"{file_name}：{flag.reason}" for flag in minutes.flags]
    if not meeting.title:
        warnings.append(f"{file_name}：未能从文档中识别会议名称（标题），请在导入时指定来源名称")
    sheet = Sheet(
        file_name=file_name,
        sheet=SHEET_NAME,
        title_lines=[meeting.title] if meeting.title else [],
        header_row=0,
        columns=columns,
        fields=map_headers(columns),
        frame=frame,
        warnings=warnings,
    )
    sheet.minutes = reading
    return sheet


# --------------------------------------------------------------------------- options and choices


def with_options(sheet: Sheet, kind: str | None = None, title: str | None = None,
                 meeting_date: date | None = None) -> Sheet:
    """The sheet read again with the import's options overriding the document."""
    reading: Reading = sheet.minutes
    if not (kind or title or meeting_date):
        return sheet
    minutes = read_minutes(list(reading.lines), kind=kind_code(kind) if kind else None, title=title,
                           meeting_date=meeting_date)
    return _rebuilt(sheet, Reading(minutes, reading.lines), reading.choice)


def choose(sheet: Sheet, choice: Choice) -> Sheet:
    """The sheet with the clerk's review applied: unticked items left out, chosen sentences in."""
    return _rebuilt(sheet, Reading(sheet.minutes.minutes, sheet.minutes.lines), choice)


def _paragraph_of(lines: tuple[str, ...], sentence: str) -> str:
    return next((line for line in lines if sentence in line), sentence)


def _rebuilt(sheet: Sheet, reading: Reading, choice: Choice) -> Sheet:
    minutes = reading.minutes
    taken = {item.seq for item in minutes.items}
    added: list[_Added] = []
    by_order = {rejected.order: rejected for rejected in minutes.rejected}
    for order in choice.add:
        rejected = by_order.get(order)
        if rejected is None:
            continue
        base = rejected.paragraph_no or "补"
        seq, k = base, 1
        while seq in taken:
            k += 1
            seq = f"{base}({k})"
        taken.add(seq)
        item = item_from_sentence(minutes, rejected.sentence, seq, _paragraph_of(reading.lines, rejected.sentence),
                                  rejected.paragraph_no)
        added.append(_Added(order, replace(item, order=rejected.order)))
    reading = Reading(minutes, reading.lines, choice, tuple(added))
    return minutes_sheet(minutes, sheet.file_name, reading.lines, reading)


def prepare(parsed: dict, options=None, choices: dict[str, Choice] | None = None) -> dict:
    """read_files' result with the options and review choices (by file sha256) applied to minutes."""
    choices = choices or {}
    out = {}
    for key, sheets in parsed.items():
        if isinstance(sheets, list) and any(is_minutes(sheet) for sheet in sheets):
            changed = []
            for sheet in sheets:
                if is_minutes(sheet):
                    if options is not None:
                        sheet = with_options(sheet, options.source_kind, options.source_title, options.source_date)
                    choice = choices.get(key[1])
                    if choice is not None and not choice.empty:
                        sheet = choose(sheet, choice)
                changed.append(sheet)
            sheets = changed
        out[key] = sheets
    return out


# --------------------------------------------------------------------------- the review's content


def _flag(flag) -> dict:
    return {"kind": flag.kind, "text": flag.text, "reason": flag.reason}


def preview(sheet: Sheet) -> dict:
    """Items with their sentence, paragraph, units, deadline and flags; the rejected sentences
    with the reason: the review step's content, and `load --dry-run --json`'s."""
    reading: Reading = sheet.minutes
    minutes = reading.minutes
    meeting = minutes.meeting
    added_orders = {added.order for added in reading.added}

    def item_entry(item: Item, included: bool, added: bool) -> dict:
        return {
            "seq": item.seq,
            "sentence": item.sentence,
            "paragraph_no": item.paragraph_no,
            "paragraph": item.paragraph,
            "lead_units": list(item.lead_units),
            "co_units": list(item.co_units),
            "leaders": [leader.name or leader.title for leader in item.leaders],
            "deadline_text": _deadline_cell(item, meeting.date) or "",
            "deadline": item.deadline.date.isoformat() if item.deadline and item.deadline.date else None,
            "flags": [_flag(flag) for flag in item.flags],
            "included": included,
            "added": added,
            "order": item.order,
        }

    items = [item_entry(item, item.seq not in reading.choice.skip, False) for item in minutes.items]
    items += [item_entry(added.item, True, True) for added in reading.added]
    return {
        "file": sheet.file_name,
        "meeting": {
            "kind": meeting.kind_label,
            "title": meeting.title,
            "number": meeting.number,
            "date": meeting.date.isoformat() if meeting.date else None,
            "date_text": meeting.date_text,
            "leaders": [leader.name or leader.title for leader in meeting.leaders],
        },
        "flags": [_flag(flag) for flag in minutes.flags],
        "items": sorted(items, key=lambda entry: entry["order"]),
        "rejected": [
            {"order": rejected.order, "sentence": rejected.sentence, "paragraph_no": rejected.paragraph_no,
             "reason": rejected.reason, "added": rejected.order in added_orders}
            for rejected in minutes.rejected
        ],
    }


def previews(files, parsed: dict) -> list[dict | None]:
    """For each file (in order), the review content of its minutes sheet, None for a list."""
    out: list[dict | None] = []
    for file in files:
        sheets = parsed.get((file.name, file.sha256))
        minutes = [sheet for sheet in sheets if is_minutes(sheet)] if isinstance(sheets, list) else []
        out.append(preview(minutes[0]) if minutes else None)
    return out


def _flag_text(flags: list[dict]) -> str:
    return "；".join(f"{flag['kind']}：{flag['reason']}" for flag in flags)


def preview_text(review: dict) -> str:
    """The review as plain text, for `load --dry-run` without --json."""
    meeting = review["meeting"]
    lines = [f"{review['file']}：{meeting['kind'] or '来源类型未识别'}　{meeting['title'] or '（无标题）'}　"
             f"{meeting['number'] or ''}　{meeting['date'] or '日期未识别'}"]
    lines += [f"  ！{flag['reason']}" for flag in review["flags"]]
    for item in review["items"]:
        mark = "☑" if item["included"] else "☐"
        units = "、".join(item["lead_units"]) or "（待补）"
        if item["co_units"]:
            units += "；配合：" + "、".join(item["co_units"])
        deadline = item["deadline"] or item["deadline_text"] or "（待补）"
        lines.append(f"{mark} {item['seq']}［段落{item['paragraph_no'] or '—'}］{item['sentence']}")
        lines.append(f"     牵头：{units}　时限：{deadline}" + (f"　{_flag_text(item['flags'])}" if item["flags"] else ""))
    lines.append(f"未列为事项的句子（{len(review['rejected'])}句）：")
    lines += [f"  #{r['order']}［{r['paragraph_no'] or '—'}］{r['sentence']}　— {r['reason']}" for r in review["rejected"]]
    return "\n".join(lines)
