"""How things look: code colours, dates and times in French, one contribution as Rich text."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from rich.style import Style
from rich.text import Text

from ..i18n import language, tr
from ..models import Annotation, Code, Contribution, Participant

_MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
_DAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


@lru_cache(maxsize=64)
def code_style(color: str) -> Style:
    """The code's colour as a background, with black or white text, whichever reads better."""
    try:
        r, g, b = (int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        r, g, b = 136, 136, 136
    luminance = (0.299 * r + 0.587 * g + 0.114 * b) / 255
    return Style(bgcolor=color, color="black" if luminance > 0.55 else "white")


def short_label(code: Code) -> str:
    """'Norme antécédente (travail prescrit)' -> 'Norme antécédente': enough to recognise it in a list."""
    return code.label(language()).split(" (")[0]


def long_date(iso: str) -> str:
    """'2026-11-20' -> 'vendredi 20 novembre 2026' (or 'Friday 20 November 2026')."""
    try:
        d = dt.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    if language() == "en":
        return d.strftime("%A %d %B %Y").replace(" 0", " ")
    day = "1er" if d.day == 1 else str(d.day)
    return f"{_DAYS_FR[d.weekday()]} {day} {_MONTHS_FR[d.month - 1]} {d.year}"


def short_date(iso: str) -> str:
    """'2026-11-20' -> '20/11/2026' in French, kept ISO in English."""
    try:
        d = dt.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    return d.isoformat() if language() == "en" else d.strftime("%d/%m/%Y")


def clock_time(stamp: str) -> str:
    """'2026-11-20T14:05:12' -> '14:05'."""
    return stamp[11:16] if stamp and len(stamp) >= 16 else ""


def speaker_name(p: Participant | None) -> str:
    if p is None:
        return tr("(groupe)", "(group)")
    return p.pseudonym


def off_record_badge() -> Text:
    return Text(tr(" HORS COMPTE RENDU ", " OFF THE RECORD "), style="bold white on #b03030")


def authority_badge() -> Text:
    return Text(tr(" AUTORITÉ ", " AUTHORITY "), style="bold black on #e0b030")


def highlighted_text(text: str, annotations: list[Annotation], codes: dict[str, Code], base: str = "") -> Text:
    out = Text(text, style=base)
    for a in annotations:
        code = codes.get(a.code)
        if code is not None and 0 <= a.start < a.end <= len(text):
            out.stylize(code_style(code.color), a.start, a.end)
    return out


def code_chips(annotations: list[Annotation], codes: dict[str, Code]) -> Text:
    """One coloured chip per code used, in order of first appearance."""
    out = Text()
    seen: list[str] = []
    for a in sorted(annotations, key=lambda a: a.start):
        if a.code not in seen and a.code in codes:
            seen.append(a.code)
    for code_id in seen:
        code = codes[code_id]
        if out:
            out.append(" ")
        out.append(f" {short_label(code)} ", style=code_style(code.color))
    return out


def render_contribution(
    c: Contribution, number: int, speaker: Participant | None, annotations: list[Annotation], codes: dict[str, Code]
) -> Text:
    """Header line (number, time, speaker, off-record badge), the text with its tags, the chips."""
    head = Text()
    head.append(f"{number:>3} ", style="dim")
    head.append(clock_time(c.created_at) + " ", style="dim")
    head.append(speaker_name(speaker), style="bold")
    if speaker is not None and speaker.authority:
        head.append(" ★", style="#e0b030")
    if c.off_record:
        head.append("  ")
        head.append_text(off_record_badge())
    body = highlighted_text(c.text, annotations, codes, base="italic dim" if c.off_record else "")
    parts = [head, body]
    if annotations:
        parts.append(code_chips(annotations, codes))
    return Text("\n").join(parts)
