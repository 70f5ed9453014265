"""Characters no ledger text carries: one definition for the importer (which strips them from
every cell it reads) and for the dashboard (ui.safe.clean, which strips them before showing).

C0 controls but tab and newline, DEL, C1 controls; the bidi embeddings, overrides and isolates
(U+202A–U+202E, U+2066–U+2069) and the marks that steer them (U+200E, U+200F, U+061C). The
class is written with the characters themselves, so Python's re and polars' (Rust) regex read
the same pattern.
"""

from __future__ import annotations

import re

UNSAFE_CLASS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
UNSAFE = re.compile(UNSAFE_CLASS)


def strip_unsafe(text: str) -> str:
    """The text without the characters above."""
    return UNSAFE.sub("", text)
