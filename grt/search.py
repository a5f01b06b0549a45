"""Full-text search over contributions (FTS5, accent- and case-insensitive) with review filters."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from .errors import InvalidInput
from .i18n import tr
from .validation import iso_date

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Term:
    words: list[str]  # one word, or several for a phrase
    prefix: bool = False


def parse_query(query: str) -> list[Term]:
    """Words, "exact phrases" and prefixes (plan*), all required. Punctuation is ignored."""
    terms = []
    for phrase, bare in _TOKEN.findall(query or ""):
        if phrase:
            words = _WORD.findall(phrase)
            if words:
                terms.append(Term(words))
        else:
            prefix = bare.endswith("*")
            for k, word in enumerate(words := _WORD.findall(bare)):
                terms.append(Term([word], prefix=prefix and k == len(words) - 1))
    return terms


def fts_expression(terms: list[Term]) -> str:
    parts = []
    for t in terms:
        quoted = '"' + " ".join(w.replace('"', "") for w in t.words) + '"'
        parts.append(quoted + ("*" if t.prefix else ""))
    return " AND ".join(parts)


def fold(text: str) -> str:
    """Lower-case and strip accents, one output character per input character (offsets hold)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0] if ch.isalpha() else ch
        out.append(base.lower()[:1] or ch)
    return "".join(out)


def match_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the query's words and phrases occur in text (for highlighting hits in context)."""
    folded = fold(text)
    spans = []
    for t in parse_query(query):
        pattern = r"\W+".join(re.escape(fold(w)) for w in t.words)
        pattern = r"\b" + pattern + (r"\w*" if t.prefix else r"\b")
        spans += [(m.start(), m.end()) for m in re.finditer(pattern, folded)]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def snippet(text: str, query: str, width: int = 160, mark: tuple[str, str] = ("**", "**")) -> str:
    """A window of text around the first hit, hits marked."""
    spans = match_spans(text, query)
    if not spans:
        return text[:width] + ("…" if len(text) > width else "")
    first = spans[0][0]
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    out, pos = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out += [text[pos:s], mark[0], text[s:e], mark[1]]
        pos = e
    out.append(text[pos:end])
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")


def search(
    db: Database,
    query: str = "",
    *,
    group_id: int | None = None,
    code: str | None = None,
    session_id: int | None = None,
    role: str | None = None,
    participant_id: int | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    include_off_record: bool = True,
    limit: int | None = 500,
) -> list[dict[str, Any]]:
    """Contributions matching the query and filters, best first (or in session order without a query)."""
    terms = parse_query(query)
    if query.strip() and not terms:
        raise InvalidInput(tr("La recherche ne contient aucun mot.", "The search contains no word."))
    where = ["c.draft = 0"]
    params: list[Any] = []
    source = "contributions c"
    order = "s.date, s.id, c.position"
    if terms:
        source = "contributions_fts f JOIN contributions c ON c.id = f.rowid"
        where.append("contributions_fts MATCH ?")
        params.append(fts_expression(terms))
        order = "f.rank"
    if group_id is not None:
        where.append("s.group_id = ?")
        params.append(group_id)
    if session_id is not None:
        where.append("c.session_id = ?")
        params.append(session_id)
    if participant_id is not None:
        where.append("c.participant_id = ?")
        params.append(participant_id)
    if role:
        where.append("p.role = ? COLLATE NOCASE")
        params.append(role)
    if date_from:
        where.append("s.date >= ?")
        params.append(iso_date(date_from))
    if date_to:
        where.append("s.date <= ?")
        params.append(iso_date(date_to))
    if not include_off_record:
        where.append("c.off_record = 0")
    if code:
        # A family code (e.g. "normes") matches every code under it.
        where.append(
            "EXISTS (SELECT 1 FROM annotations a WHERE a.contribution_id = c.id"
            " AND a.code IN (SELECT id FROM codes WHERE id = ? OR parent = ?))"
        )
        params += [code, code]
    sql = f"""
        SELECT c.id, c.session_id, s.group_id, g.name AS group_name, s.date, s.question,
               c.participant_id, p.pseudonym AS speaker, p.role AS role,
               c.position, c.text, c.off_record,
               (SELECT group_concat(DISTINCT a.code) FROM annotations a WHERE a.contribution_id = c.id) AS codes
        FROM {source}
        JOIN sessions s ON s.id = c.session_id
        JOIN groups g ON g.id = s.group_id
        LEFT JOIN participants p ON p.id = c.participant_id
        WHERE {" AND ".join(where)}
        ORDER BY {order}
    """
    if limit:
        sql += f" LIMIT {int(limit)}"
    hits = []
    for row in db.query(sql, params):
        row["off_record"] = bool(row["off_record"])
        row["codes"] = sorted(row["codes"].split(",")) if row["codes"] else []
        row["snippet"] = snippet(row["text"], query) if terms else row["text"][:160]
        hits.append(row)
    return hits
