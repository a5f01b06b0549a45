"""Contributions: what participants tell, in order, attributed to a speaker, with autosaved drafts."""

from __future__ import annotations

from sqlite_utils import Database

from .db import now
from .errors import InvalidInput, NotFound
from .groups import get_participant
from .i18n import tr
from .models import Contribution
from .sessions import get_session
from .validation import long_text


def _check_speaker(db: Database, session_id: int, participant_id: int | None) -> None:
    if participant_id is None:
        return
    session = get_session(db, session_id)
    if get_participant(db, participant_id).group_id != session.group_id:
        raise InvalidInput(tr("Ce participant n'appartient pas au groupe de la session.", "This participant is not in the session's group."))


def _next_position(db: Database, session_id: int) -> float:
    top = db.execute("SELECT MAX(position) FROM contributions WHERE session_id = ?", [session_id]).fetchone()[0]
    return (top or 0) + 1


def add_contribution(
    db: Database, session_id: int, participant_id: int | None, text: str, *, off_record: bool = False
) -> Contribution:
    get_session(db, session_id)
    _check_speaker(db, session_id, participant_id)
    text = long_text(text).strip()
    if not text:
        raise InvalidInput(tr("La contribution est vide.", "The contribution is empty."))
    stamp = now()
    cid = db["contributions"].insert(
        {
            "session_id": session_id,
            "participant_id": participant_id,
            "text": text,
            "position": _next_position(db, session_id),
            "off_record": int(off_record),
            "draft": 0,
            "created_at": stamp,
            "updated_at": stamp,
        }
    ).last_pk
    return get_contribution(db, cid)


def get_contribution(db: Database, contribution_id: int) -> Contribution:
    rows = list(db.query("SELECT * FROM contributions WHERE id = ?", [contribution_id]))
    if not rows:
        raise NotFound(tr("Contribution introuvable : {id}.", "Contribution not found: {id}.", id=contribution_id))
    return Contribution.from_row(rows[0])


def list_contributions(db: Database, session_id: int, *, include_off_record: bool = True) -> list[Contribution]:
    sql = "SELECT * FROM contributions WHERE session_id = ? AND draft = 0"
    if not include_off_record:
        sql += " AND off_record = 0"
    return [Contribution.from_row(r) for r in db.query(sql + " ORDER BY position, id", [session_id])]


def update_text(db: Database, contribution_id: int, text: str) -> tuple[Contribution, int]:
    """Replace the text; annotations follow their quote. Returns the contribution and how many tags were lost."""
    old = get_contribution(db, contribution_id)
    text = long_text(text).strip()
    if not text and not old.draft:
        raise InvalidInput(tr("La contribution est vide : supprimez-la plutôt.", "The contribution is empty: delete it instead."))
    from .annotations import reanchor

    with db.atomic():
        db["contributions"].update(contribution_id, {"text": text, "updated_at": now()})
        lost = reanchor(db, contribution_id, old.text, text)
    return get_contribution(db, contribution_id), lost


def set_speaker(db: Database, contribution_id: int, participant_id: int | None) -> Contribution:
    c = get_contribution(db, contribution_id)
    _check_speaker(db, c.session_id, participant_id)
    db["contributions"].update(contribution_id, {"participant_id": participant_id, "updated_at": now()})
    return get_contribution(db, contribution_id)


def set_off_record(db: Database, contribution_id: int, off_record: bool = True) -> Contribution:
    get_contribution(db, contribution_id)
    db["contributions"].update(contribution_id, {"off_record": int(off_record), "updated_at": now()})
    return get_contribution(db, contribution_id)


def delete_contribution(db: Database, contribution_id: int) -> None:
    get_contribution(db, contribution_id)
    db.execute("DELETE FROM contributions WHERE id = ?", [contribution_id])


def move_contribution(db: Database, contribution_id: int, offset: int) -> Contribution:
    """Move up (negative offset) or down among the committed contributions of its session."""
    c = get_contribution(db, contribution_id)
    ordered = [x.id for x in list_contributions(db, c.session_id)]
    if c.id not in ordered:
        return c
    i = ordered.index(c.id)
    j = max(0, min(len(ordered) - 1, i + offset))
    if i == j:
        return c
    ordered.insert(j, ordered.pop(i))
    with db.atomic():
        for pos, cid in enumerate(ordered, start=1):
            db.execute("UPDATE contributions SET position = ? WHERE id = ?", [pos, cid])
    return get_contribution(db, contribution_id)


# Drafts: the text being typed in the meeting screen, saved within a second, one per session.


def get_draft(db: Database, session_id: int) -> Contribution | None:
    rows = list(db.query("SELECT * FROM contributions WHERE session_id = ? AND draft = 1 ORDER BY id DESC LIMIT 1", [session_id]))
    return Contribution.from_row(rows[0]) if rows else None


def save_draft(db: Database, session_id: int, participant_id: int | None, text: str, *, off_record: bool = False) -> Contribution:
    """Create or overwrite the session's draft (an uncommitted contribution)."""
    text = long_text(text)
    draft = get_draft(db, session_id)
    stamp = now()
    if draft is None:
        _check_speaker(db, session_id, participant_id)
        cid = db["contributions"].insert(
            {
                "session_id": session_id,
                "participant_id": participant_id,
                "text": text,
                "position": _next_position(db, session_id),
                "off_record": int(off_record),
                "draft": 1,
                "created_at": stamp,
                "updated_at": stamp,
            }
        ).last_pk
        return get_contribution(db, cid)
    db["contributions"].update(
        draft.id, {"text": text, "participant_id": participant_id, "off_record": int(off_record), "updated_at": stamp}
    )
    return get_contribution(db, draft.id)


def commit_draft(db: Database, session_id: int) -> Contribution | None:
    """Turn the draft into a contribution at the end of the list; an empty draft is simply dropped."""
    draft = get_draft(db, session_id)
    if draft is None:
        return None
    if not draft.text.strip():
        db.execute("DELETE FROM contributions WHERE id = ?", [draft.id])
        return None
    with db.atomic():
        db.execute(
            "UPDATE contributions SET draft = 0, text = ?, position = ?, created_at = ?, updated_at = ? WHERE id = ?",
            [draft.text.strip(), _next_position(db, session_id), now(), now(), draft.id],
        )
    return get_contribution(db, draft.id)


def discard_draft(db: Database, session_id: int) -> None:
    db.execute("DELETE FROM contributions WHERE session_id = ? AND draft = 1", [session_id])
