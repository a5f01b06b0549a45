"""Annotations: a code on a span of a contribution (Python string offsets), with quote and memo."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from .codebook import get_code
from .contributions import get_contribution
from .db import now
from .errors import InvalidInput, NotFound
from .i18n import tr
from .models import Annotation


def _check_span(text: str, start: int, end: int) -> None:
    if not (0 <= start < end <= len(text)):
        raise InvalidInput(
            tr(
                "Passage hors du texte : {start}–{end} (le texte fait {n} caractères).",
                "Span outside the text: {start}–{end} (the text has {n} characters).",
                start=start,
                end=end,
                n=len(text),
            )
        )


def _check_attributes(code, attributes: dict[str, Any]) -> None:
    for key, value in attributes.items():
        allowed = code.attributes.get(key)
        if allowed is None or value not in allowed:
            raise InvalidInput(
                tr("Attribut invalide pour {code} : {k}={v}.", "Invalid attribute for {code}: {k}={v}.", code=code.id, k=key, v=value)
            )


def add_annotation(
    db: Database,
    contribution_id: int,
    code: str,
    start: int,
    end: int,
    *,
    memo: str = "",
    origin: str = "manual",
    attributes: dict[str, Any] | None = None,
) -> Annotation:
    contribution = get_contribution(db, contribution_id)
    code_obj = get_code(db, code)
    if code_obj.is_group:
        raise InvalidInput(
            tr("« {code} » est une famille de codes : choisissez un code précis.", "'{code}' is a code family: pick a precise code.", code=code)
        )
    _check_span(contribution.text, start, end)
    if origin not in ("manual", "suggested"):
        raise InvalidInput(tr("Origine inconnue : {o}.", "Unknown origin: {o}.", o=origin))
    attributes = attributes or {}
    _check_attributes(code_obj, attributes)
    stamp = now()
    aid = db["annotations"].insert(
        {
            "contribution_id": contribution_id,
            "code": code,
            "start": start,
            "end": end,
            "quote": contribution.text[start:end],
            "memo": memo,
            "origin": origin,
            "attributes": json.dumps(attributes, ensure_ascii=False),
            "created_at": stamp,
            "updated_at": stamp,
        }
    ).last_pk
    return get_annotation(db, aid)


def get_annotation(db: Database, annotation_id: int) -> Annotation:
    rows = list(db.query("SELECT * FROM annotations WHERE id = ?", [annotation_id]))
    if not rows:
        raise NotFound(tr("Annotation introuvable : {id}.", "Annotation not found: {id}.", id=annotation_id))
    return Annotation.from_row(rows[0])


def list_annotations(db: Database, *, contribution_id: int | None = None, session_id: int | None = None) -> list[Annotation]:
    if contribution_id is not None:
        rows = db.query('SELECT * FROM annotations WHERE contribution_id = ? ORDER BY start, "end", id', [contribution_id])
    elif session_id is not None:
        rows = db.query(
            """SELECT a.* FROM annotations a JOIN contributions c ON c.id = a.contribution_id
               WHERE c.session_id = ? ORDER BY c.position, a.start, a.id""",
            [session_id],
        )
    else:
        raise InvalidInput("list_annotations needs a contribution or a session")
    return [Annotation.from_row(r) for r in rows]


def update_annotation(
    db: Database,
    annotation_id: int,
    *,
    code: str | None = None,
    start: int | None = None,
    end: int | None = None,
    memo: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> Annotation:
    ann = get_annotation(db, annotation_id)
    values: dict[str, Any] = {}
    code_obj = get_code(db, code if code is not None else ann.code)
    if code is not None:
        if code_obj.is_group:
            raise InvalidInput(tr("« {code} » est une famille de codes : choisissez un code précis.", "'{code}' is a code family: pick a precise code.", code=code))
        values["code"] = code
        if attributes is None:
            # Attributes belong to a code; keep only those the new code knows.
            values["attributes"] = json.dumps({k: v for k, v in ann.attributes.items() if v in code_obj.attributes.get(k, [])}, ensure_ascii=False)
    if start is not None or end is not None:
        text = get_contribution(db, ann.contribution_id).text
        s = ann.start if start is None else start
        e = ann.end if end is None else end
        _check_span(text, s, e)
        values.update(start=s, end=e, quote=text[s:e])
    if memo is not None:
        values["memo"] = memo
    if attributes is not None:
        _check_attributes(code_obj, attributes)
        values["attributes"] = json.dumps(attributes, ensure_ascii=False)
    if values:
        values["updated_at"] = now()
        db["annotations"].update(annotation_id, values)
    return get_annotation(db, annotation_id)


def delete_annotation(db: Database, annotation_id: int) -> None:
    get_annotation(db, annotation_id)
    db.execute("DELETE FROM annotations WHERE id = ?", [annotation_id])


def relocate(new_text: str, quote: str, old_start: int) -> int | None:
    """Where the quote now stands: the occurrence closest to where it was, or None if gone."""
    best = None
    i = new_text.find(quote)
    while i != -1:
        if best is None or abs(i - old_start) < abs(best - old_start):
            best = i
        i = new_text.find(quote, i + 1)
    return best


def reanchor(db: Database, contribution_id: int, old_text: str, new_text: str) -> int:
    """After an edit, move each annotation and pending suggestion to where its quote now is.

    Returns how many annotations were lost because their quote no longer exists.
    """
    if old_text == new_text:
        return 0
    lost = 0
    for table in ("annotations", "suggestions"):
        rows = db.execute(f'SELECT id, start, "end", quote FROM {table} WHERE contribution_id = ?', [contribution_id]).fetchall()
        for row_id, start, end, quote in rows:
            if new_text[start:end] == quote:
                continue
            at = relocate(new_text, quote, start)
            if at is None:
                db.execute(f"DELETE FROM {table} WHERE id = ?", [row_id])
                lost += table == "annotations"
            else:
                db.execute(f'UPDATE {table} SET start = ?, "end" = ? WHERE id = ?', [at, at + len(quote), row_id])
    return lost
