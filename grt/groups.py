"""Groups and their participants (pseudonyms, roles, authority)."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from .db import now
from .errors import InvalidInput, NotFound
from .i18n import tr
from .models import Group, Participant
from .validation import clean_text, required, same_name


def add_group(db: Database, name: str, sector: str = "") -> Group:
    name = required(name, "Le nom du groupe", "The group name")
    if any(same_name(g.name, name) for g in list_groups(db)):
        raise InvalidInput(tr("Un groupe « {name} » existe déjà.", "A group named '{name}' already exists.", name=name))
    gid = db["groups"].insert({"name": name, "sector": clean_text(sector).strip(), "created_at": now()}).last_pk
    return get_group(db, gid)


def get_group(db: Database, group_id: int) -> Group:
    rows = list(db.query("SELECT * FROM groups WHERE id = ?", [group_id]))
    if not rows:
        raise NotFound(tr("Groupe introuvable : {id}.", "Group not found: {id}.", id=group_id))
    return Group.from_row(rows[0])


def list_groups(db: Database) -> list[Group]:
    return [Group.from_row(r) for r in db.query("SELECT * FROM groups ORDER BY name COLLATE NOCASE")]


def find_group(db: Database, name_or_id: str | int) -> Group:
    """A group by its id or its name as typed on the command line (case and accents do not matter)."""
    text = str(name_or_id).strip()
    for group in list_groups(db):
        if same_name(group.name, text):
            return group
    if text.isdigit():
        return get_group(db, int(text))
    raise NotFound(tr("Groupe introuvable : « {g} ».", "Group not found: '{g}'.", g=text))


def update_group(db: Database, group_id: int, *, name: str | None = None, sector: str | None = None) -> Group:
    get_group(db, group_id)
    values = {}
    if name is not None:
        values["name"] = required(name, "Le nom du groupe", "The group name")
        if any(same_name(g.name, values["name"]) for g in list_groups(db) if g.id != group_id):
            raise InvalidInput(tr("Un groupe « {name} » existe déjà.", "A group named '{name}' already exists.", name=values["name"]))
    if sector is not None:
        values["sector"] = clean_text(sector).strip()
    if values:
        db["groups"].update(group_id, values)
    return get_group(db, group_id)


def delete_group(db: Database, group_id: int) -> None:
    get_group(db, group_id)
    db.execute("DELETE FROM groups WHERE id = ?", [group_id])


def add_participant(
    db: Database, group_id: int, pseudonym: str, role: str = "", *, authority: bool = False, real_name: str = ""
) -> Participant:
    get_group(db, group_id)
    pseudonym = required(pseudonym, "Le pseudonyme", "The pseudonym", max_len=60)
    if _pseudonym_taken(db, group_id, pseudonym):
        raise InvalidInput(
            tr("« {p} » est déjà un participant de ce groupe.", "'{p}' is already a participant of this group.", p=pseudonym)
        )
    position = db.execute("SELECT COUNT(*) FROM participants WHERE group_id = ?", [group_id]).fetchone()[0]
    try:
        pid = db["participants"].insert(
            {
                "group_id": group_id,
                "pseudonym": pseudonym,
                "role": clean_text(role).strip(),
                "authority": int(authority),
                "real_name": clean_text(real_name).strip(),
                "position": position,
                "created_at": now(),
            }
        ).last_pk
    except sqlite3.IntegrityError:
        raise InvalidInput(tr("Participant invalide.", "Invalid participant.")) from None
    return get_participant(db, pid)


def _pseudonym_taken(db: Database, group_id: int, pseudonym: str, except_id: int | None = None) -> bool:
    return any(same_name(p.pseudonym, pseudonym) for p in list_participants(db, group_id) if p.id != except_id)


def get_participant(db: Database, participant_id: int) -> Participant:
    rows = list(db.query("SELECT * FROM participants WHERE id = ?", [participant_id]))
    if not rows:
        raise NotFound(tr("Participant introuvable : {id}.", "Participant not found: {id}.", id=participant_id))
    return Participant.from_row(rows[0])


def list_participants(db: Database, group_id: int, *, active_only: bool = False) -> list[Participant]:
    get_group(db, group_id)
    sql = "SELECT * FROM participants WHERE group_id = ?" + (" AND active = 1" if active_only else "")
    return [Participant.from_row(r) for r in db.query(sql + " ORDER BY position, id", [group_id])]


def find_participant(db: Database, group_id: int, pseudonym: str) -> Participant:
    for p in list_participants(db, group_id):
        if same_name(p.pseudonym, pseudonym):
            return p
    raise NotFound(tr("Aucun participant « {p} » dans ce groupe.", "No participant '{p}' in this group.", p=pseudonym.strip()))


def update_participant(db: Database, participant_id: int, **fields) -> Participant:
    p = get_participant(db, participant_id)
    values = {}
    for key, value in fields.items():
        if key == "pseudonym":
            value = required(value, "Le pseudonyme", "The pseudonym", max_len=60)
            if _pseudonym_taken(db, p.group_id, value, except_id=p.id):
                raise InvalidInput(
                    tr("« {p} » est déjà un participant de ce groupe.", "'{p}' is already a participant of this group.", p=value)
                )
        elif key in ("authority", "active"):
            value = int(bool(value))
        elif key in ("role", "real_name"):
            value = clean_text(value).strip()
        elif key != "position":
            raise InvalidInput(tr("Champ inconnu : {f}.", "Unknown field: {f}.", f=key))
        values[key] = value
    if values:
        db["participants"].update(participant_id, values)
    return get_participant(db, participant_id)


def delete_participant(db: Database, participant_id: int) -> None:
    get_participant(db, participant_id)
    db.execute("DELETE FROM participants WHERE id = ?", [participant_id])
