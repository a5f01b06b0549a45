"""Suggestions stored in the database: run over a session, accept, reject, undo, learn from the group.

Every decision is stored: a suggestion goes from ``pending`` to ``accepted`` (an annotation with origin
``suggested`` is created) or ``rejected``; ``undo_decision`` puts it back to ``pending``. Each decision
moves the group's counts for the cue that fired (table ``cue_stats``), and those counts adjust the cue's
weight for that group the next time suggestions run (see :func:`grt.nlp.cues.learned_weight`).
A facilitator can switch a cue off (table ``cue_settings``).
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from sqlite_utils import Database

from ..annotations import add_annotation, delete_annotation, get_annotation
from ..codebook import list_codes
from ..contributions import get_contribution, list_contributions
from ..db import now
from ..errors import InvalidInput, NotFound
from ..i18n import tr
from ..sessions import get_session
from .combiner import corpus_cue_id, load_combiner, words_why
from .cues import USER_PREFIX, load_cues, user_cue_id


# ---------------------------------------------------------------- reading


def _row(db: Database, suggestion_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM suggestions WHERE id = ?", [suggestion_id]))
    if not rows:
        raise NotFound(tr("Suggestion introuvable : {id}.", "Suggestion not found: {id}.", id=suggestion_id))
    return _public(rows[0])


def _public(row: dict[str, Any]) -> dict[str, Any]:
    d = dict(row)
    d["attributes"] = json.loads(d.get("attributes") or "{}")
    d["text"] = d.get("quote", "")
    return d


def get_suggestion(db: Database, suggestion_id: int) -> dict[str, Any]:
    """One stored suggestion (with ``attributes`` decoded and ``text`` = its quote)."""
    return _row(db, suggestion_id)


def list_suggestions(
    db: Database, *, session_id: int | None = None, contribution_id: int | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Stored suggestions of a session or a contribution, in reading order."""
    where, params = [], []
    if contribution_id is not None:
        where.append("s.contribution_id = ?")
        params.append(contribution_id)
    if session_id is not None:
        where.append("c.session_id = ?")
        params.append(session_id)
    if status is not None:
        if status not in ("pending", "accepted", "rejected"):
            raise InvalidInput(tr("Statut inconnu : {s}.", "Unknown status: {s}.", s=status))
        where.append("s.status = ?")
        params.append(status)
    sql = "SELECT s.* FROM suggestions s JOIN contributions c ON c.id = s.contribution_id"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += ' ORDER BY c.position, s.start, s."end", s.code, s.id'
    return [_public(r) for r in db.query(sql, params)]


def disabled_cues(db: Database) -> frozenset[str]:
    return frozenset(r[0] for r in db.execute("SELECT cue FROM cue_settings WHERE enabled = 0").fetchall())


def group_weights(db: Database, group_id: int) -> dict[str, tuple[int, int]]:
    """The group's answers per cue, as the engine's ``weights`` argument: {cue: (accepted, rejected)}."""
    rows = db.execute("SELECT cue, accepted, rejected FROM cue_stats WHERE group_id = ?", [group_id]).fetchall()
    return {cue: (int(a), int(r)) for cue, a, r in rows}


def codebook_cues(db: Database) -> tuple[list[str], dict[str, list[str]]]:
    """Active codes (not families) and the facilitator's own cue words per code."""
    codes = list_codes(db, include_groups=False, active_only=True)
    return [c.id for c in codes], {c.id: list(c.cues) for c in codes if c.cues}


# ---------------------------------------------------------------- running


def annotate_session(db: Database, session_id: int, *, engine: Any = None, min_score: float | None = None) -> list[dict[str, Any]]:
    """Run the suggestions over a session's committed contributions and store the new ones as pending.

    Off-record contributions are included (they stay in the group). A suggestion is skipped when an
    annotation with the same code already covers part of its span, or when the same suggestion (code and
    span or quote) was already stored, whatever its status. Returns the rows stored by this run.
    """
    from .engine import get_engine

    session = get_session(db, session_id)
    contributions = [c for c in list_contributions(db, session.id) if c.text.strip()]
    if not contributions:
        return []
    engine = engine or get_engine()
    codes, extra = codebook_cues(db)
    results = engine.suggest_many(
        [c.text for c in contributions],
        codes=codes,
        extra_cues=extra,
        disabled=disabled_cues(db),
        weights=group_weights(db, session.group_id),
        min_score=min_score,
    )
    attribute_names = {c.id: c.attributes for c in list_codes(db, include_groups=False)}
    stored: list[dict[str, Any]] = []
    stamp = now()
    with db.atomic():
        for contribution, items in zip(contributions, results):
            annotated = db.execute('SELECT code, start, "end" FROM annotations WHERE contribution_id = ?', [contribution.id]).fetchall()
            known = db.execute('SELECT code, start, "end", quote FROM suggestions WHERE contribution_id = ?', [contribution.id]).fetchall()
            seen_spans = {(code, s, e) for code, s, e, _ in known}
            seen_quotes = {(code, q) for code, _, _, q in known}
            for item in items:
                code, start, end = item["code"], item["start"], item["end"]
                quote = contribution.text[start:end]
                if quote != item["text"]:  # the text changed under us: never store a wrong span
                    continue
                if (code, start, end) in seen_spans or (code, quote) in seen_quotes:
                    continue
                if any(a_code == code and a_s < end and start < a_e for a_code, a_s, a_e in annotated):
                    continue
                allowed = attribute_names.get(code, {})
                attributes = {k: v for k, v in (item.get("attributes") or {}).items() if v in allowed.get(k, [])}
                sid = db["suggestions"].insert(
                    {
                        "contribution_id": contribution.id,
                        "code": code,
                        "start": start,
                        "end": end,
                        "quote": quote,
                        "score": float(item["score"]),
                        "why": item["why"],
                        "cue": item.get("cue", ""),
                        "attributes": json.dumps(attributes, ensure_ascii=False),
                        "status": "pending",
                        "created_at": stamp,
                    }
                ).last_pk
                seen_spans.add((code, start, end))
                seen_quotes.add((code, quote))
                stored.append(_row(db, sid))
    return stored


# ---------------------------------------------------------------- decisions


def _group_of(db: Database, contribution_id: int) -> int:
    row = db.execute(
        "SELECT s.group_id FROM contributions c JOIN sessions s ON s.id = c.session_id WHERE c.id = ?", [contribution_id]
    ).fetchone()
    if row is None:
        raise NotFound(tr("Contribution introuvable : {id}.", "Contribution not found: {id}.", id=contribution_id))
    return int(row[0])


def _count(db: Database, group_id: int, cue: str, column: str, delta: int) -> None:
    if not cue:
        return
    db.execute("INSERT OR IGNORE INTO cue_stats (group_id, cue, accepted, rejected) VALUES (?, ?, 0, 0)", [group_id, cue])
    db.execute(f"UPDATE cue_stats SET {column} = MAX(0, {column} + ?) WHERE group_id = ? AND cue = ?", [delta, group_id, cue])


def accept_suggestion(
    db: Database, suggestion_id: int, code: str | None = None, start: int | None = None, end: int | None = None, *, memo: str = ""
) -> dict[str, Any]:
    """Accept a pending suggestion: an annotation (origin ``suggested``) is created, possibly with another
    code or a widened/narrowed span. The cue is counted as accepted for the session's group, or as
    rejected when the facilitator changed the code (the cue was wrong about the code).
    Returns the updated suggestion (with ``annotation_id``)."""
    s = _row(db, suggestion_id)
    if s["status"] != "pending":
        raise InvalidInput(
            tr("Cette suggestion est déjà décidée ({status}) : annulez d'abord.", "This suggestion is already decided ({status}): undo first.", status=s["status"])
        )
    new_code = code or s["code"]
    new_start = s["start"] if start is None else int(start)
    new_end = s["end"] if end is None else int(end)
    attributes = s["attributes"] if new_code == s["code"] else {}
    group_id = _group_of(db, s["contribution_id"])
    with db.atomic():
        annotation = add_annotation(db, s["contribution_id"], new_code, new_start, new_end, memo=memo, origin="suggested", attributes=attributes)
        db["suggestions"].update(suggestion_id, {"status": "accepted", "annotation_id": annotation.id, "decided_at": now()})
        _count(db, group_id, s["cue"], "accepted" if new_code == s["code"] else "rejected", +1)
    return _row(db, suggestion_id)


def reject_suggestion(db: Database, suggestion_id: int) -> dict[str, Any]:
    """Reject a pending suggestion; the cue loses weight for the session's group."""
    s = _row(db, suggestion_id)
    if s["status"] != "pending":
        raise InvalidInput(
            tr("Cette suggestion est déjà décidée ({status}) : annulez d'abord.", "This suggestion is already decided ({status}): undo first.", status=s["status"])
        )
    group_id = _group_of(db, s["contribution_id"])
    with db.atomic():
        db["suggestions"].update(suggestion_id, {"status": "rejected", "decided_at": now()})
        _count(db, group_id, s["cue"], "rejected", +1)
    return _row(db, suggestion_id)


def undo_decision(db: Database, suggestion_id: int) -> dict[str, Any]:
    """Put a decided suggestion back to pending: the annotation it created is removed, the counts reverted."""
    s = _row(db, suggestion_id)
    if s["status"] == "pending":
        return s
    group_id = _group_of(db, s["contribution_id"])
    with db.atomic():
        counted = "rejected"
        if s["status"] == "accepted":
            counted = "accepted"
            if s.get("annotation_id"):
                try:
                    annotation = get_annotation(db, s["annotation_id"])
                except NotFound:
                    annotation = None
                if annotation is not None:
                    if annotation.code != s["code"]:
                        counted = "rejected"
                    delete_annotation(db, annotation.id)
        db["suggestions"].update(suggestion_id, {"status": "pending", "annotation_id": None, "decided_at": None})
        _count(db, group_id, s["cue"], counted, -1)
    return _row(db, suggestion_id)


def accept_all_above(db: Database, contribution_id: int, threshold: float) -> list[dict[str, Any]]:
    """Accept every pending suggestion of a contribution whose score is at least ``threshold``."""
    get_contribution(db, contribution_id)
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise InvalidInput(tr("Seuil invalide : {t}.", "Invalid threshold: {t}.", t=threshold)) from None
    ids = [
        r[0]
        for r in db.execute(
            "SELECT id FROM suggestions WHERE contribution_id = ? AND status = 'pending' AND score >= ? ORDER BY start, id",
            [contribution_id, threshold],
        ).fetchall()
    ]
    return [accept_suggestion(db, sid) for sid in ids]


# ---------------------------------------------------------------- cues: precision and switches


def cue_precision(db: Database, group_id: int | None = None) -> list[dict[str, Any]]:
    """Per cue: accepted, rejected, decided, precision (accepted / decided, None if undecided), enabled.

    Lists every shipped cue, the facilitator's own cue words, and any cue with counts; for one group or
    all groups together. Sorted by code, then cue.
    """
    if group_id is None:
        rows = db.execute("SELECT cue, SUM(accepted), SUM(rejected) FROM cue_stats GROUP BY cue").fetchall()
    else:
        rows = db.execute("SELECT cue, accepted, rejected FROM cue_stats WHERE group_id = ?", [group_id]).fetchall()
    counts = {cue: (int(a or 0), int(r or 0)) for cue, a, r in rows}
    disabled = disabled_cues(db)
    entries: dict[str, dict[str, Any]] = {}
    for cue in load_cues().cues:
        entries[cue.id] = cue.summary()
    for entry in corpus_cues():
        entries[entry["cue"]] = entry
    _, extra = codebook_cues(db)
    for code, words in extra.items():
        for word in words:
            cid = user_cue_id(code, word)
            entries.setdefault(cid, {"cue": cid, "code": code, "kind": "user", "weight": None, "why": word, "builtin": False})
    for cid in counts:
        if cid not in entries:
            code = cid[len(USER_PREFIX):].split(":", 1)[0] if cid.startswith(USER_PREFIX) else ""
            entries[cid] = {"cue": cid, "code": code, "kind": "user" if cid.startswith(USER_PREFIX) else "", "weight": None, "why": "", "builtin": False}
    out = []
    for cid, entry in entries.items():
        accepted, rejected = counts.get(cid, (0, 0))
        decided = accepted + rejected
        out.append(
            {
                **entry,
                "accepted": accepted,
                "rejected": rejected,
                "decided": decided,
                "precision": round(accepted / decided, 3) if decided else None,
                "enabled": cid not in disabled,
            }
        )
    out.sort(key=lambda e: (e["code"], e["cue"]))
    return out


def corpus_cues() -> list[dict[str, Any]]:
    """The combiner's pseudo-cues: per code, its suggestions that only the sentence's words speak for."""
    combiner = load_combiner()
    if combiner is None:
        return []
    return [{"cue": corpus_cue_id(code), "code": code, "kind": "corpus", "weight": None, "why": words_why(), "builtin": True} for code in combiner.codes]


def known_cue(db: Database, cue: str) -> bool:
    if cue in load_cues().by_id or cue in {e["cue"] for e in corpus_cues()}:
        return True
    if cue.startswith(USER_PREFIX):
        return True
    return db.execute("SELECT 1 FROM cue_stats WHERE cue = ? LIMIT 1", [cue]).fetchone() is not None


def set_cue_enabled(db: Database, cue: str, enabled: bool) -> dict[str, Any]:
    """Switch a cue on or off for every group (a switched-off cue never fires)."""
    cue = (cue or "").strip()
    if not cue or not known_cue(db, cue):
        raise NotFound(tr("Indice inconnu : « {cue} ».", "Unknown cue: '{cue}'.", cue=cue))
    db.execute(
        "INSERT INTO cue_settings (cue, enabled) VALUES (?, ?) ON CONFLICT(cue) DO UPDATE SET enabled = excluded.enabled",
        [cue, int(bool(enabled))],
    )
    return {"cue": cue, "enabled": bool(enabled)}


def set_cues_enabled(db: Database, cues: Iterable[str], enabled: bool) -> list[dict[str, Any]]:
    return [set_cue_enabled(db, c, enabled) for c in cues]
