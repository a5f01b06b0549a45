"""Reviewing a group over all its sessions: counts of codes per session, codes that occur together on the
same contribution, a timeline of debates and proposals, and series small enough to draw in a terminal.

Search itself is grt.search; review_search() adds what the review screen needs to highlight hits.
open_review() gathers everything the review screen shows when it opens (one call, for a worker).
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlite_utils import Database

from .codebook import list_codes
from .groups import get_group
from .i18n import language, tr
from .search import match_spans, search


def _where_group(include_off_record: bool, session_id: int | None) -> tuple[str, list[Any]]:
    sql = " AND c.draft = 0" + ("" if include_off_record else " AND c.off_record = 0")
    params: list[Any] = []
    if session_id is not None:
        sql += " AND c.session_id = ?"
        params.append(session_id)
    return sql, params


def group_sessions(db: Database, group_id: int) -> list[dict[str, Any]]:
    """The group's sessions in date order, with their number of contributions (drafts left out)."""
    get_group(db, group_id)
    return list(
        db.query(
            """SELECT s.id, s.date, s.question, s.status,
                      (SELECT COUNT(*) FROM contributions c WHERE c.session_id = s.id AND c.draft = 0) AS contributions
               FROM sessions s WHERE s.group_id = ? ORDER BY s.date, s.id""",
            [group_id],
        )
    )


def _codebook(db: Database) -> dict[str, Any]:
    """Leaf codes by id, in codebook order."""
    return {c.id: c for c in list_codes(db, include_groups=False)}


def _ordered(book: dict[str, Any], used: set[str]) -> list[str]:
    """Used codes in codebook order; codes no longer in the codebook last."""
    return [c for c in book if c in used] + sorted(used - set(book))


def code_counts(
    db: Database, group_id: int, *, include_off_record: bool = True, sessions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """How many annotations of each code in each session of the group.

    Returns {"sessions": [{id, date, question, ...}], "codes": [code ids used, in codebook order],
    "labels": {code: label}, "colors": {code: colour}, "counts": {code: [n per session, in session order]},
    "totals": {code: n}, "session_totals": [n per session]}.
    """
    sessions = sessions if sessions is not None else group_sessions(db, group_id)
    extra, params = _where_group(include_off_record, None)
    rows = db.execute(
        f"""SELECT c.session_id, a.code, COUNT(*) FROM sessions s
            JOIN contributions c ON c.session_id = s.id
            JOIN annotations a ON a.contribution_id = c.id
            WHERE s.group_id = ?{extra} GROUP BY c.session_id, a.code""",
        [group_id, *params],
    ).fetchall()
    index = {s["id"]: k for k, s in enumerate(sessions)}
    book = _codebook(db)
    used = {code for _, code, _ in rows}
    codes = _ordered(book, used)
    counts = {code: [0] * len(sessions) for code in codes}
    for session_id, code, n in rows:
        counts[code][index[session_id]] = n
    return {
        "sessions": sessions,
        "codes": codes,
        "labels": _labels(book, codes),
        "colors": {c: book[c].color if c in book else "#888888" for c in codes},
        "counts": counts,
        "totals": {c: sum(v) for c, v in counts.items()},
        "session_totals": [sum(counts[c][k] for c in codes) for k in range(len(sessions))],
    }


def _labels(book: dict[str, Any], codes: Iterable[str]) -> dict[str, str]:
    lang = language()
    return {c: book[c].label(lang) if c in book else c for c in codes}


def cooccurrence(
    db: Database, group_id: int, *, include_off_record: bool = True, session_id: int | None = None
) -> dict[str, Any]:
    """Codes found together on the same contribution: how many contributions carry both.

    Returns {"codes": [...], "labels": {...}, "matrix": [[n]] (symmetric; the diagonal is how many
    contributions carry the code at all), "pairs": [(code_a, code_b, n), …] (a before b, most frequent first)}.
    """
    get_group(db, group_id)
    extra, params = _where_group(include_off_record, session_id)
    rows = db.execute(
        f"""SELECT DISTINCT a.contribution_id, a.code FROM sessions s
            JOIN contributions c ON c.session_id = s.id
            JOIN annotations a ON a.contribution_id = c.id
            WHERE s.group_id = ?{extra}""",
        [group_id, *params],
    ).fetchall()
    # Counted here rather than by a self-join in SQL: one pass over the group's tags is cheaper.
    by_contribution: dict[int, list[str]] = {}
    for contribution_id, code in rows:
        by_contribution.setdefault(contribution_id, []).append(code)
    together: dict[tuple[str, str], int] = {}
    for codes_here in by_contribution.values():
        codes_here.sort()
        for k, a in enumerate(codes_here):
            together[a, a] = together.get((a, a), 0) + 1
            for b in codes_here[k + 1 :]:
                together[a, b] = together.get((a, b), 0) + 1
    book = _codebook(db)
    codes = _ordered(book, {a for a, _ in together})
    at = {c: k for k, c in enumerate(codes)}
    matrix = [[0] * len(codes) for _ in codes]
    pairs = []
    for (a, b), n in together.items():
        matrix[at[a]][at[b]] = matrix[at[b]][at[a]] = n
        if a != b:
            x, y = (a, b) if at[a] < at[b] else (b, a)
            pairs.append((x, y, n))
    pairs.sort(key=lambda p: (-p[2], at[p[0]], at[p[1]]))
    return {"codes": codes, "labels": _labels(book, codes), "matrix": matrix, "pairs": pairs}


def timeline(db: Database, group_id: int, *, include_sessions: bool = True) -> list[dict[str, Any]]:
    """Dated events of the group, oldest first: sessions, debates (dated by the first session where they
    came up) and every step of every proposal's history.

    Each event: {"date", "kind": "session"|"debate"|"proposal", "id", "title", "status", "note",
    "session_id", "summary" (one line in the user's language)}.
    """
    from .debates import list_debates, status_label as debate_status
    from .proposals import status_label as proposal_status

    get_group(db, group_id)
    events: list[dict[str, Any]] = []
    if include_sessions:
        for s in db.query("SELECT id, date, question, status FROM sessions WHERE group_id = ? ORDER BY date, id", [group_id]):
            events.append(
                {"date": s["date"], "kind": "session", "id": s["id"], "title": s["question"], "status": s["status"],
                 "note": "", "session_id": s["id"],
                 "summary": tr("Session : {q}", "Session: {q}", q=s["question"] or "—")}
            )
    for d in list_debates(db, group_id):
        events.append(
            {"date": d["first_date"], "kind": "debate", "id": d["id"], "title": d["title"], "status": d["status"],
             "note": d["choice"], "session_id": None,
             "summary": tr("Débat ({s}) : {t}", "Debate ({s}): {t}", s=debate_status(d["status"]), t=d["title"])}
        )
    rows = db.query(
        """SELECT h.id AS entry_id, h.date, h.status, h.note, h.session_id, p.id, p.text
           FROM proposal_history h JOIN proposals p ON p.id = h.proposal_id
           WHERE p.group_id = ? ORDER BY h.date, h.id""",
        [group_id],
    )
    for r in rows:
        events.append(
            {"date": r["date"], "kind": "proposal", "id": r["id"], "entry_id": r["entry_id"], "title": r["text"],
             "status": r["status"], "note": r["note"], "session_id": r["session_id"],
             "summary": tr("Proposition {s} : {t}", "Proposal {s}: {t}", s=proposal_status(r["status"]), t=r["text"])}
        )
    order = {"session": 0, "debate": 1, "proposal": 2}
    events.sort(key=lambda e: (e["date"], order[e["kind"]], e.get("entry_id") or e["id"]))
    return events


# --- drawing in a terminal -------------------------------------------------------------------

_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int | float], *, maximum: float | None = None, zero: str = "·") -> str:
    """One character per value, its height relative to maximum (the series' own max by default)."""
    top = maximum if maximum is not None else max(values, default=0)
    out = []
    for v in values:
        if not v or top <= 0:
            out.append(zero)
        else:
            out.append(_BLOCKS[min(len(_BLOCKS) - 1, max(0, round(v / top * len(_BLOCKS)) - 1))])
    return "".join(out)


def column_chart(values: list[int | float], *, height: int = 8, width: int = 1, zero: str = " ") -> list[str]:
    """A vertical bar chart as `height` lines of text (top first), `width` characters per value, drawn
    with eighth blocks so that small differences still show."""
    top = max(values, default=0)
    lines = []
    for row in range(height, 0, -1):
        line = []
        for v in values:
            eighths = 0 if top <= 0 else round(v / top * height * 8)
            filled = eighths - (row - 1) * 8
            ch = "█" if filled >= 8 else (_BLOCKS[filled - 1] if filled > 0 else (zero if row == 1 and not v else " "))
            line.append(ch * width)
        lines.append("".join(line))
    return lines


def codes_over_sessions(
    db: Database,
    group_id: int,
    codes: Iterable[str] | None = None,
    *,
    include_off_record: bool = True,
    counts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Series for the "codes over sessions" chart: one row per code, one value per session.

    Rows share one scale (the largest count), so that a row of tall blocks really is a frequent code.
    Returns {"sessions": [{id, date}], "max": n, "rows": [{"code", "label", "color", "values", "total",
    "spark"}]}.
    """
    counts = counts or code_counts(db, group_id, include_off_record=include_off_record)
    wanted = list(codes) if codes is not None else counts["codes"]
    top = max((max(counts["counts"].get(c, [0]) or [0]) for c in wanted), default=0)
    rows = []
    for c in wanted:
        values = counts["counts"].get(c, [0] * len(counts["sessions"]))
        rows.append(
            {"code": c, "label": counts["labels"].get(c, c), "color": counts["colors"].get(c, "#888888"),
             "values": values, "total": sum(values), "spark": sparkline(values, maximum=top)}
        )
    return {"sessions": [{"id": s["id"], "date": s["date"]} for s in counts["sessions"]], "max": top, "rows": rows}


# --- search and opening ----------------------------------------------------------------------


def review_search(
    db: Database,
    group_id: int,
    query: str = "",
    *,
    code: str | None = None,
    role: str | None = None,
    session_id: int | None = None,
    participant_id: int | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    include_off_record: bool = True,
    limit: int | None = 200,
) -> list[dict[str, Any]]:
    """grt.search.search() within one group, each hit with "spans": where to highlight in its text.

    Off-record hits are kept (with "off_record": True) so that the screen can mark them clearly.
    """
    hits = search(
        db, query, group_id=group_id, code=code, session_id=session_id, role=role, participant_id=participant_id,
        date_from=date_from, date_to=date_to, include_off_record=include_off_record, limit=limit,
    )
    for h in hits:
        h["spans"] = match_spans(h["text"], query) if query.strip() else []
    return hits


def group_roles(db: Database, group_id: int) -> list[str]:
    """The roles of the group's participants, for the role filter."""
    return [r[0] for r in db.execute(
        "SELECT DISTINCT role FROM participants WHERE group_id = ? AND role != '' ORDER BY role COLLATE NOCASE", [group_id]
    ).fetchall()]


def open_review(db: Database, group_id: int, *, hits: bool = True, limit: int = 200) -> dict[str, Any]:
    """Everything the review screen shows when it opens, in one call (run it in a worker)."""
    group = get_group(db, group_id)
    sessions = group_sessions(db, group_id)
    counts = code_counts(db, group_id, sessions=sessions)
    return {
        "group": group.to_dict(),
        "sessions": sessions,
        "roles": group_roles(db, group_id),
        "counts": counts,
        "series": codes_over_sessions(db, group_id, counts=counts),
        "cooccurrence": cooccurrence(db, group_id),
        "timeline": timeline(db, group_id),
        "hits": review_search(db, group_id, limit=limit) if hits else [],
    }
