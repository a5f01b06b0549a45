"""Sessions of a group: date, question of the day, status, who attended."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from .db import now
from .errors import InvalidInput, NotFound
from .groups import get_group, get_participant
from .i18n import tr
from .models import Participant, Session
from .validation import clean_text, iso_date

STATUSES = ("preparee", "en_cours", "close")


def add_session(db: Database, group_id: int, date: str | None = None, question: str = "") -> Session:
    get_group(db, group_id)
    sid = db["sessions"].insert(
        {"group_id": group_id, "date": iso_date(date), "question": clean_text(question).strip(), "status": "preparee", "created_at": now()}
    ).last_pk
    # By default everyone active in the group is expected; the facilitator unticks who is absent.
    db.execute(
        "INSERT INTO attendance(session_id, participant_id) SELECT ?, id FROM participants WHERE group_id = ? AND active = 1",
        [sid, group_id],
    )
    return get_session(db, sid)


def get_session(db: Database, session_id: int | str) -> Session:
    try:
        sid = int(session_id)
    except (TypeError, ValueError):
        raise InvalidInput(tr("Numéro de session invalide : « {s} ».", "Invalid session number: '{s}'.", s=session_id)) from None
    rows = list(db.query("SELECT * FROM sessions WHERE id = ?", [sid]))
    if not rows:
        raise NotFound(tr("Session introuvable : {id}.", "Session not found: {id}.", id=sid))
    return Session.from_row(rows[0])


def update_session(db: Database, session_id: int, *, date: str | None = None, question: str | None = None, status: str | None = None) -> Session:
    get_session(db, session_id)
    values: dict[str, Any] = {}
    if date is not None:
        values["date"] = iso_date(date)
    if question is not None:
        values["question"] = clean_text(question).strip()
    if status is not None:
        if status not in STATUSES:
            raise InvalidInput(tr("Statut de session inconnu : {s}.", "Unknown session status: {s}.", s=status))
        values["status"] = status
        if status == "en_cours":
            values["started_at"] = now()
        elif status == "close":
            values["ended_at"] = now()
    if values:
        db["sessions"].update(session_id, values)
    return get_session(db, session_id)


def delete_session(db: Database, session_id: int) -> None:
    get_session(db, session_id)
    db.execute("DELETE FROM sessions WHERE id = ?", [session_id])


def list_sessions(db: Database, group_id: int | None = None) -> list[dict[str, Any]]:
    """Sessions with what the home screen and `session list` show: group, counts, authority present."""
    where, params = ("WHERE s.group_id = ?", [group_id]) if group_id is not None else ("", [])
    sql = f"""
        SELECT s.*, g.name AS group_name,
            (SELECT COUNT(*) FROM contributions c WHERE c.session_id = s.id AND c.draft = 0) AS contributions,
            (SELECT COUNT(*) FROM contributions c WHERE c.session_id = s.id AND c.draft = 0 AND c.off_record = 1) AS off_record,
            (SELECT COUNT(*) FROM annotations a JOIN contributions c ON c.id = a.contribution_id WHERE c.session_id = s.id) AS annotations,
            (SELECT COUNT(*) FROM proposals p WHERE p.session_id = s.id) AS proposals,
            EXISTS (SELECT 1 FROM attendance at JOIN participants p ON p.id = at.participant_id
                    WHERE at.session_id = s.id AND p.authority = 1) AS authority_present
        FROM sessions s JOIN groups g ON g.id = s.group_id
        {where}
        ORDER BY g.name COLLATE NOCASE, s.date, s.id
    """
    out = []
    for row in db.query(sql, params):
        row["authority_present"] = bool(row["authority_present"])
        out.append(row)
    return out


def attendees(db: Database, session_id: int) -> list[Participant]:
    return [
        Participant.from_row(r)
        for r in db.query(
            "SELECT p.* FROM participants p JOIN attendance a ON a.participant_id = p.id WHERE a.session_id = ? ORDER BY p.position, p.id",
            [session_id],
        )
    ]


def set_attendance(db: Database, session_id: int, participant_id: int, present: bool) -> None:
    session = get_session(db, session_id)
    participant = get_participant(db, participant_id)
    if participant.group_id != session.group_id:
        raise InvalidInput(tr("Ce participant n'appartient pas au groupe de la session.", "This participant is not in the session's group."))
    if present:
        db.execute("INSERT OR IGNORE INTO attendance(session_id, participant_id) VALUES (?, ?)", [session_id, participant_id])
    else:
        db.execute("DELETE FROM attendance WHERE session_id = ? AND participant_id = ?", [session_id, participant_id])


def authority_present(db: Database, session_id: int) -> list[Participant]:
    return [p for p in attendees(db, session_id) if p.authority]
