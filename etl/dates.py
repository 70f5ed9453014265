"""Calendar dates written in a cell: a meeting date, a report date, a closing date."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

_EXCEL_EPOCH = date(1899, 12, 30)
_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")


def parse_calendar_date(text: object) -> date | None:
    """A full date (year, month, day) anywhere in the text, or an Excel serial; else None."""
    if text is None:
        return None
    if isinstance(text, date):
        return text
    value = unicodedata.normalize("NFKC", str(text)).strip()
    for pattern in (_YMD, _COMPACT):
        match = pattern.search(value)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    match = _SERIAL.match(value)
    if match and 20000 <= int(match[1]) <= 80000:
        return _EXCEL_EPOCH + timedelta(days=int(match[1]))
    return None
