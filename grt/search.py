"""Full-text search over contributions (FTS5, accent- and case-insensitive) with review filters."""

from __future__ import annotations

import functools
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
            # A bare token holding several words (rendez-vous, l'équipe, 8h30) is searched as a phrase.
            words = _WORD.findall(bare)
            if words:
                terms.append(Term(words, prefix=bare.endswith("*")))
    return terms


def fts_expression(terms: list[Term]) -> str:
    parts = []
    for t in terms:
        quoted = '"' + " ".join(w.replace('"', "") for w in t.words) + '"'
        parts.append(quoted + ("*" if t.prefix else ""))
    return " AND ".join(parts)


class _FoldTable(dict):
    """str.translate table filled on first sight of each character (the search screen folds every hit)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0] if ch.isalpha() else ch
        folded = base.lower()[:1] or ch
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case and strip accents, one output character per input character (offsets hold)."""
    return text.translate(_FOLD)


@functools.lru_cache(maxsize=64)
def _patterns(query: str) -> tuple[re.Pattern[str], ...]:
    """One compiled pattern per term, on folded text (cached: every hit of a search uses them)."""
    patterns = []
    for t in parse_query(query):
        pattern = r"\W+".join(re.escape(fold(w)) for w in t.words)
        patterns.append(re.compile(r"\b" + pattern + (r"\w*" if t.prefix else r"\b")))
    return tuple(patterns)


def match_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the query's words and phrases occur in text (for highlighting hits in context)."""
    folded = fold(text)
    spans = []
    for pattern in _patterns(query):
        spans += [(m.start(), m.end()) for m in pattern.finditer(folded)]
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


def _codes_under(db: Database, code: str) -> list[str]:
    """The code itself, or every code of a family (e.g. "normes")."""
    return [r[0] for r in db.execute("SELECT id FROM codes WHERE id = ? OR parent = ?", [code, code]).fetchall()]


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
    """Contributions matching the query and filters, best first (or in session order without a query).

    How it stays fast on a million contributions: the matching contributions are found first, with only
    the joins the filters need, and only the `limit` kept rows are then joined for display.
    - Filtered to a group, a session or a speaker: that scope's contribution ids are collected from
      the indexes (a few thousand at most) and the word matches are checked against them; only the
      survivors are ranked.
    - Otherwise: FTS5 delivers matches in rank order and the filters are checked as they come, so
      that the search stops as soon as `limit` hits are found.
    """
    terms = parse_query(query)
    if query.strip() and not terms:
        raise InvalidInput(tr("La recherche ne contient aucun mot.", "The search contains no word."))
    where: list[str] = []
    params: list[Any] = []
    if not include_off_record:
        where.append("c.off_record = 0")
    if session_id is not None:
        where.append("c.session_id = ?")
        params.append(session_id)
    if participant_id is not None:
        where.append("c.participant_id = ?")
        params.append(participant_id)
    if group_id is not None:
        where.append("s.group_id = ?")
        params.append(group_id)
    if date_from:
        where.append("s.date >= ?")
        params.append(iso_date(date_from))
    if date_to:
        where.append("s.date <= ?")
        params.append(iso_date(date_to))
    if role:
        where.append("p.role = ? COLLATE NOCASE")
        params.append(role)
    joins = ""
    if group_id is not None or date_from or date_to:
        joins += " JOIN sessions s ON s.id = c.session_id"
    if role:
        joins += " JOIN participants p ON p.id = c.participant_id"
    code_sql, code_params = "", []
    if code:
        codes = _codes_under(db, code)
        if not codes:
            return []
        # The unary + keeps SQLite on the per-contribution index (the code index would scan every tag).
        code_sql = f"EXISTS (SELECT 1 FROM annotations a WHERE a.contribution_id = {{id}} AND +a.code IN ({','.join('?' * len(codes))}))"
        code_params = codes
    limit_sql = f" LIMIT {int(limit)}" if limit else ""

    if terms:
        match = fts_expression(terms)
        if group_id is not None or session_id is not None or participant_id is not None:
            scope = " AND ".join(["c.draft = 0", *where])
            conds = [f"+f.rowid IN (SELECT c.id FROM contributions c{joins} WHERE {scope})"]
            if code_sql:
                conds.append(code_sql.format(id="f.rowid"))
            matched = f"""SELECT f.rowid AS id, bm25(contributions_fts) AS rank FROM contributions_fts f
                WHERE contributions_fts MATCH ? AND {" AND ".join(conds)} ORDER BY rank{limit_sql}"""
            matched_params = [match, *params, *code_params]
        else:
            conds = ["c.draft = 0", *where] + ([code_sql.format(id="c.id")] if code_sql else [])
            matched = f"""SELECT f.rowid AS id, f.rank AS rank FROM contributions_fts f
                JOIN contributions c ON c.id = f.rowid{joins}
                WHERE contributions_fts MATCH ? AND {" AND ".join(conds)} ORDER BY f.rank{limit_sql}"""
            matched_params = [match, *params, *code_params]
        order = "m.rank, c.id"
    else:
        joins = " JOIN sessions s ON s.id = c.session_id" + (" JOIN participants p ON p.id = c.participant_id" if role else "")
        conds = ["c.draft = 0", *where]
        if code_sql:
            if group_id is None and session_id is None and participant_id is None:
                # Nothing narrower to start from: start from the code's own index.
                conds.append(f"c.id IN (SELECT contribution_id FROM annotations WHERE code IN ({','.join('?' * len(code_params))}))")
            else:
                conds.append(code_sql.format(id="c.id"))
        matched = f"""SELECT c.id AS id, 0 AS rank, s.date AS date, c.position AS position FROM contributions c{joins}
            WHERE {" AND ".join(conds)} ORDER BY s.date, s.id, c.position{limit_sql}"""
        matched_params = [*params, *code_params]
        order = "m.date, s.id, m.position"
    sql = f"""
        WITH m AS ({matched})
        SELECT c.id, c.session_id, s.group_id, g.name AS group_name, s.date, s.question,
               c.participant_id, p.pseudonym AS speaker, p.role AS role,
               c.position, c.text, c.off_record,
               (SELECT group_concat(DISTINCT a.code) FROM annotations a WHERE a.contribution_id = c.id) AS codes
        FROM m
        JOIN contributions c ON c.id = m.id
        JOIN sessions s ON s.id = c.session_id
        JOIN groups g ON g.id = s.group_id
        LEFT JOIN participants p ON p.id = c.participant_id
        ORDER BY {order}
    """
    hits = []
    for row in db.query(sql, matched_params):
        row["off_record"] = bool(row["off_record"])
        row["codes"] = sorted(row["codes"].split(",")) if row["codes"] else []
        row["snippet"] = snippet(row["text"], query) if terms else row["text"][:160]
        hits.append(row)
    return hits
