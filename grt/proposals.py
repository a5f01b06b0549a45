"""Proposals ("faire autrement"): followed from one session to the next until the people who organise
the work answer, with a dated status history.

The current status is the status of the latest history entry (by date, then by order of entry), so
that a change recorded late, with its real past date, does not overwrite what happened after it.
Everything returned here shows pseudonyms only, never a participant's real name.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlite_utils import Database

from .db import now
from .errors import InvalidInput, NotFound
from .groups import get_group, get_participant
from .i18n import tr
from .sessions import get_session
from .validation import clean_text, iso_date, required

STATUSES = ("proposee", "discutee", "transmise", "reponse_recue", "mise_en_oeuvre", "abandonnee")
CLOSED = ("mise_en_oeuvre", "abandonnee")
OPEN = tuple(s for s in STATUSES if s not in CLOSED)
DESTINATIONS = ("organisateurs", "praticable")
_UNSET: Any = object()


def status_label(status: str) -> str:
    return {
        "proposee": tr("proposée", "proposed"),
        "discutee": tr("discutée", "discussed"),
        "transmise": tr("transmise", "sent"),
        "reponse_recue": tr("réponse reçue", "answer received"),
        "mise_en_oeuvre": tr("mise en œuvre", "put into practice"),
        "abandonnee": tr("abandonnée", "dropped"),
    }.get(status, status)


def destination_label(destination: str) -> str:
    return {
        "organisateurs": tr("à demander aux organisateurs du travail", "to request from those who organise the work"),
        "praticable": tr("praticable directement", "directly practicable"),
    }.get(destination, destination)


def is_open(status: str) -> bool:
    return status not in CLOSED


# --- checks ----------------------------------------------------------------------------------


def _proposal_row(db: Database, proposal_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM proposals WHERE id = ?", [proposal_id]))
    if not rows:
        raise NotFound(tr("Proposition introuvable : {id}.", "Proposal not found: {id}.", id=proposal_id))
    return rows[0]


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise InvalidInput(
            tr(
                "Statut de proposition inconnu : « {s} » (proposee, discutee, transmise, reponse_recue, mise_en_oeuvre ou abandonnee).",
                "Unknown proposal status: '{s}' (proposee, discutee, transmise, reponse_recue, mise_en_oeuvre or abandonnee).",
                s=status,
            )
        )
    return status


def _check_destination(destination: str) -> str:
    if destination not in DESTINATIONS:
        raise InvalidInput(
            tr(
                "Destination inconnue : « {d} » (organisateurs ou praticable).",
                "Unknown destination: '{d}' (organisateurs or praticable).",
                d=destination,
            )
        )
    return destination


def _check_carrier(db: Database, group_id: int, carrier_id: int | None) -> int | None:
    if carrier_id is not None and get_participant(db, carrier_id).group_id != group_id:
        raise InvalidInput(
            tr("Le porteur doit être un participant du groupe.", "The carrier must be a participant of the group.")
        )
    return carrier_id


def _check_session(db: Database, group_id: int, session_id: int | None) -> int | None:
    if session_id is not None and get_session(db, session_id).group_id != group_id:
        raise InvalidInput(tr("Cette session n'appartient pas au groupe.", "This session is not in the group."))
    return session_id


def _text(text: str) -> str:
    return required(text, "Le texte de la proposition", "The proposal text", max_len=4000)


# --- creating and editing --------------------------------------------------------------------


def add_proposal(
    db: Database,
    group_id: int,
    text: str,
    destination: str,
    *,
    session_id: int | None = None,
    carrier_id: int | None = None,
    contribution_ids: Iterable[int] = (),
    date: str | None = None,
    note: str = "",
) -> dict[str, Any]:
    """A new proposal, status `proposee`, dated by its session (or today). carrier_id None = the group."""
    get_group(db, group_id)
    text = _text(text)
    _check_destination(destination)
    _check_session(db, group_id, session_id)
    _check_carrier(db, group_id, carrier_id)
    if date is None and session_id is not None:
        date = get_session(db, session_id).date
    with db.atomic():
        stamp = now()
        proposal_id = db["proposals"].insert(
            {
                "group_id": group_id,
                "session_id": session_id,
                "text": text,
                "destination": destination,
                "carrier_id": carrier_id,
                "status": "proposee",
                "answer": "",
                "created_at": stamp,
                "updated_at": stamp,
            }
        ).last_pk
        db["proposal_history"].insert(
            {"proposal_id": proposal_id, "status": "proposee", "date": iso_date(date), "note": clean_text(note).strip(), "session_id": session_id}
        )
        link_contributions(db, proposal_id, contribution_ids)
    return get_proposal(db, proposal_id)


def _refresh_status(db: Database, proposal_id: int) -> None:
    row = db.execute(
        "SELECT status FROM proposal_history WHERE proposal_id = ? ORDER BY date DESC, id DESC LIMIT 1", [proposal_id]
    ).fetchone()
    db.execute("UPDATE proposals SET status = ?, updated_at = ? WHERE id = ?", [row[0] if row else "proposee", now(), proposal_id])


def set_status(
    db: Database,
    proposal_id: int,
    status: str,
    *,
    date: str | None = None,
    note: str = "",
    session_id: int | None = None,
) -> dict[str, Any]:
    """Record a status (any move, forward or back, even the same status with news) in the dated history.

    date: YYYY-MM-DD, today by default. session_id: the session where the news was given, if any.
    """
    proposal = _proposal_row(db, proposal_id)
    check_status(status)
    _check_session(db, proposal["group_id"], session_id)
    with db.atomic():
        db["proposal_history"].insert(
            {"proposal_id": proposal_id, "status": status, "date": iso_date(date), "note": clean_text(note).strip(), "session_id": session_id}
        )
        _refresh_status(db, proposal_id)
    return get_proposal(db, proposal_id)


def set_answer(
    db: Database,
    proposal_id: int,
    answer: str,
    *,
    date: str | None = None,
    note: str = "",
    session_id: int | None = None,
) -> dict[str, Any]:
    """Management's answer. If the proposal had not reached `reponse_recue`, that status is recorded (dated)."""
    proposal = _proposal_row(db, proposal_id)
    answer = clean_text(answer).strip()
    with db.atomic():
        db.execute("UPDATE proposals SET answer = ?, updated_at = ? WHERE id = ?", [answer, now(), proposal_id])
        if answer and STATUSES.index(proposal["status"]) < STATUSES.index("reponse_recue"):
            set_status(db, proposal_id, "reponse_recue", date=date, note=note, session_id=session_id)
    return get_proposal(db, proposal_id)


def update_proposal(
    db: Database,
    proposal_id: int,
    *,
    text: str | None = None,
    destination: str | None = None,
    carrier_id: int | None = _UNSET,
    session_id: int | None = _UNSET,
) -> dict[str, Any]:
    """Edit text, destination, carrier (None = the group) or origin session; omitted fields stay as they are."""
    proposal = _proposal_row(db, proposal_id)
    values: dict[str, Any] = {}
    if text is not None:
        values["text"] = _text(text)
    if destination is not None:
        values["destination"] = _check_destination(destination)
    if carrier_id is not _UNSET:
        values["carrier_id"] = _check_carrier(db, proposal["group_id"], carrier_id)
    if session_id is not _UNSET:
        values["session_id"] = _check_session(db, proposal["group_id"], session_id)
    if values:
        values["updated_at"] = now()
        db["proposals"].update(proposal_id, values)
    return get_proposal(db, proposal_id)


def set_carrier(db: Database, proposal_id: int, carrier_id: int | None) -> dict[str, Any]:
    return update_proposal(db, proposal_id, carrier_id=carrier_id)


def update_history_entry(
    db: Database, entry_id: int, *, date: str | None = None, note: str | None = None, status: str | None = None
) -> dict[str, Any]:
    """Correct a history entry (a wrong date or a typo in the note)."""
    rows = list(db.query("SELECT * FROM proposal_history WHERE id = ?", [entry_id]))
    if not rows:
        raise NotFound(tr("Étape introuvable : {id}.", "History entry not found: {id}.", id=entry_id))
    values: dict[str, Any] = {}
    if date is not None:
        values["date"] = iso_date(date)
    if note is not None:
        values["note"] = clean_text(note).strip()
    if status is not None:
        values["status"] = check_status(status)
    with db.atomic():
        if values:
            db["proposal_history"].update(entry_id, values)
        _refresh_status(db, rows[0]["proposal_id"])
    return get_proposal(db, rows[0]["proposal_id"])


def delete_history_entry(db: Database, entry_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT proposal_id FROM proposal_history WHERE id = ?", [entry_id]))
    if not rows:
        raise NotFound(tr("Étape introuvable : {id}.", "History entry not found: {id}.", id=entry_id))
    proposal_id = rows[0]["proposal_id"]
    if db.execute("SELECT COUNT(*) FROM proposal_history WHERE proposal_id = ?", [proposal_id]).fetchone()[0] <= 1:
        raise InvalidInput(tr("Une proposition garde au moins une étape.", "A proposal keeps at least one history entry."))
    with db.atomic():
        db.execute("DELETE FROM proposal_history WHERE id = ?", [entry_id])
        _refresh_status(db, proposal_id)
    return get_proposal(db, proposal_id)


def link_contributions(db: Database, proposal_id: int, contribution_ids: Iterable[int]) -> None:
    """Record the contributions the proposal came from (they must be the group's)."""
    proposal = _proposal_row(db, proposal_id)
    for contribution_id in contribution_ids:
        row = db.execute(
            "SELECT s.group_id FROM contributions c JOIN sessions s ON s.id = c.session_id WHERE c.id = ?", [contribution_id]
        ).fetchone()
        if not row:
            raise NotFound(tr("Contribution introuvable : {id}.", "Contribution not found: {id}.", id=contribution_id))
        if row[0] != proposal["group_id"]:
            raise InvalidInput(tr("Cette contribution vient d'un autre groupe.", "This contribution comes from another group."))
        db.execute(
            "INSERT OR IGNORE INTO proposal_contributions(proposal_id, contribution_id) VALUES (?, ?)", [proposal_id, contribution_id]
        )


def unlink_contribution(db: Database, proposal_id: int, contribution_id: int) -> None:
    _proposal_row(db, proposal_id)
    db.execute("DELETE FROM proposal_contributions WHERE proposal_id = ? AND contribution_id = ?", [proposal_id, contribution_id])


def delete_proposal(db: Database, proposal_id: int) -> None:
    _proposal_row(db, proposal_id)
    db.execute("DELETE FROM proposals WHERE id = ?", [proposal_id])


# --- reading ---------------------------------------------------------------------------------

_LIST_SQL = """
    SELECT p.id, p.group_id, g.name AS group_name, p.session_id, s.date AS session_date,
           p.text, p.destination, p.carrier_id, c.pseudonym AS carrier, p.status, p.answer,
           p.created_at, p.updated_at,
           h.id AS last_id, h.status AS last_status, h.date AS last_date, h.note AS last_note,
           h.session_id AS last_session_id,
           (SELECT COUNT(*) FROM proposal_contributions pc WHERE pc.proposal_id = p.id) AS contributions
    FROM proposals p
    JOIN groups g ON g.id = p.group_id
    LEFT JOIN sessions s ON s.id = p.session_id
    LEFT JOIN participants c ON c.id = p.carrier_id
    LEFT JOIN proposal_history h ON h.id = (
        SELECT id FROM proposal_history WHERE proposal_id = p.id ORDER BY date DESC, id DESC LIMIT 1)
"""


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    last = {k: row.pop("last_" + k) for k in ("id", "status", "date", "note", "session_id")}
    row["last"] = last if last["id"] is not None else None
    row["open"] = is_open(row["status"])
    return row


def list_proposals(
    db: Database, group_id: int | None = None, status: str | None = None, open_only: bool = False
) -> list[dict[str, Any]]:
    """Proposals in order of origin (session date, then entry) with their last history entry and answer.

    open_only: leave out those put into practice or dropped.
    """
    where, params = [], []
    if group_id is not None:
        get_group(db, group_id)
        where.append("p.group_id = ?")
        params.append(group_id)
    if status is not None:
        where.append("p.status = ?")
        params.append(check_status(status))
    if open_only:
        where.append("p.status NOT IN ('mise_en_oeuvre', 'abandonnee')")
    sql = _LIST_SQL + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY g.name COLLATE NOCASE, COALESCE(s.date, substr(p.created_at, 1, 10)), p.id"
    return [_shape(r) for r in db.query(sql, params)]


def get_proposal(db: Database, proposal_id: int) -> dict[str, Any]:
    """The proposal with its full dated history and the contributions it came from."""
    rows = list(db.query(_LIST_SQL + " WHERE p.id = ?", [proposal_id]))
    if not rows:
        raise NotFound(tr("Proposition introuvable : {id}.", "Proposal not found: {id}.", id=proposal_id))
    proposal = _shape(rows[0])
    proposal["history"] = list(
        db.query(
            """SELECT h.id, h.status, h.date, h.note, h.session_id, s.date AS session_date
               FROM proposal_history h LEFT JOIN sessions s ON s.id = h.session_id
               WHERE h.proposal_id = ? ORDER BY h.date, h.id""",
            [proposal_id],
        )
    )
    answered = [h for h in proposal["history"] if h["status"] == "reponse_recue"]
    proposal["answer_date"] = answered[-1]["date"] if answered and proposal["answer"] else None
    proposal["origin_contributions"] = [
        {**c, "off_record": bool(c["off_record"])}
        for c in db.query(
            """SELECT c.id, c.session_id, s.date, p.pseudonym AS speaker, c.text, c.off_record
               FROM proposal_contributions pc JOIN contributions c ON c.id = pc.contribution_id
               JOIN sessions s ON s.id = c.session_id LEFT JOIN participants p ON p.id = c.participant_id
               WHERE pc.proposal_id = ? ORDER BY s.date, c.position""",
            [proposal_id],
        )
    ]
    return proposal


def open_proposals_for_session(db: Database, session_id: int) -> list[dict[str, Any]]:
    """The group's open proposals born before this session (or with no session), to ask for news at opening."""
    session = get_session(db, session_id)
    sql = _LIST_SQL + """
        WHERE p.group_id = ? AND p.status NOT IN ('mise_en_oeuvre', 'abandonnee')
          AND (p.session_id IS NULL OR s.date < ? OR (s.date = ? AND s.id < ?))
        ORDER BY COALESCE(s.date, substr(p.created_at, 1, 10)), p.id
    """
    return [_shape(r) for r in db.query(sql, [session.group_id, session.date, session.date, session.id])]


# --- demo ------------------------------------------------------------------------------------


def _demo_contribution(created: dict[str, Any], quote: str, session_id: int | None) -> int:
    contributions = created["contributions"]
    # Prefer the proposal's own session when a phrase occurs in several.
    for c in sorted(contributions, key=lambda c: c.session_id != session_id):
        if quote in c.text:
            return c.id
    raise InvalidInput(
        tr("Démo : aucune contribution ne contient « {q} ».", "Demo: no contribution contains '{q}'.", q=quote)
    )


def load_demo_proposals(db: Database, data: dict[str, Any], created: dict[str, Any]) -> list[int]:
    """Load the demo's proposals (grt/data/demo.json, section "proposals"); returns their ids."""
    group = created["group"]
    sessions = created["sessions"]
    session_by_date = {s.date: s.id for s in sessions}
    ids = []
    for p in data.get("proposals", []):
        session = sessions[p["session"]] if p.get("session") is not None else None
        session_id = session.id if session else None
        history = list(p.get("history") or [])
        first = history.pop(0) if history and history[0]["status"] == "proposee" else {}
        carrier = p.get("carrier")
        proposal = add_proposal(
            db,
            group.id,
            p["text"],
            p["destination"],
            session_id=session_id,
            carrier_id=created["participants"][carrier].id if carrier else None,
            contribution_ids=[_demo_contribution(created, q, session_id) for q in p.get("contribution_quotes", [])],
            date=first.get("date"),
            note=first.get("note", ""),
        )
        last_date = first.get("date") or (session.date if session else None)
        for h in history:
            set_status(db, proposal["id"], h["status"], date=h["date"], note=h.get("note", ""), session_id=session_by_date.get(h["date"]))
            last_date = h["date"]
        if p.get("answer"):
            set_answer(db, proposal["id"], p["answer"], date=last_date)
        ids.append(proposal["id"])
    return ids
