"""Norm debates: a title, the antecedent norms, the renormalisations, the values at stake (with their
dimension), the choice made or left open, the speakers and sessions involved, a status.

Items are linked annotations or free text. Linking an annotation also records its session and its
speaker, so that "where did this come up, and who spoke" needs no extra typing.
Everything returned here shows pseudonyms only, never a participant's real name.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from sqlite_utils import Database

from .db import now
from .errors import InvalidInput, NotFound
from .groups import get_group, get_participant
from .i18n import tr
from .sessions import get_session
from .validation import clean_text, required

STATUSES = ("ouvert", "approfondi", "clos")
KINDS = ("norme", "renormalisation", "valeur", "autre")
DIMENSIONS = ("mesurable", "sans_dimension")
# Which kind of item an annotation becomes when it is linked to a debate.
KIND_OF_CODE = {"prescrit": "norme", "reel": "renormalisation", "valeur": "valeur"}
# Keys of get_debate()'s item lists, by kind.
KIND_KEYS = {"norme": "norms", "renormalisation": "renormalisations", "valeur": "values", "autre": "others"}


def status_label(status: str) -> str:
    return {
        "ouvert": tr("ouvert", "open"),
        "approfondi": tr("approfondi", "deepened"),
        "clos": tr("clos", "closed"),
    }.get(status, status)


def kind_label(kind: str) -> str:
    return {
        "norme": tr("Norme antécédente", "Antecedent norm"),
        "renormalisation": tr("Renormalisation", "Renormalisation"),
        "valeur": tr("Valeur en jeu", "Value at stake"),
        "autre": tr("Autre élément", "Other item"),
    }.get(kind, kind)


def dimension_label(dimension: str | None) -> str:
    return {
        "mesurable": tr("mesurable", "measurable"),
        "sans_dimension": tr("sans dimension", "without dimension"),
    }.get(dimension or "", "")


# --- checks ----------------------------------------------------------------------------------


def _debate_row(db: Database, debate_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM debates WHERE id = ?", [debate_id]))
    if not rows:
        raise NotFound(tr("Débat introuvable : {id}.", "Debate not found: {id}.", id=debate_id))
    return rows[0]


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise InvalidInput(
            tr(
                "Statut de débat inconnu : « {s} » (ouvert, approfondi ou clos).",
                "Unknown debate status: '{s}' (ouvert, approfondi or clos).",
                s=status,
            )
        )
    return status


def _check_dimension(dimension: str | None) -> str | None:
    if dimension in (None, ""):
        return None
    if dimension not in DIMENSIONS:
        raise InvalidInput(
            tr(
                "Dimension inconnue : « {d} » (mesurable ou sans_dimension).",
                "Unknown dimension: '{d}' (mesurable or sans_dimension).",
                d=dimension,
            )
        )
    return dimension


def _annotation_in_group(db: Database, annotation_id: int, group_id: int) -> dict[str, Any]:
    """The annotation with its session and speaker, checked to belong to the debate's group."""
    rows = list(
        db.query(
            """SELECT a.id, a.code, a.attributes, c.session_id, c.participant_id, s.group_id
               FROM annotations a JOIN contributions c ON c.id = a.contribution_id
               JOIN sessions s ON s.id = c.session_id WHERE a.id = ?""",
            [annotation_id],
        )
    )
    if not rows:
        raise NotFound(tr("Annotation introuvable : {id}.", "Annotation not found: {id}.", id=annotation_id))
    row = rows[0]
    if row["group_id"] != group_id:
        raise InvalidInput(
            tr(
                "Cette annotation vient d'un autre groupe : un débat ne relie que les paroles de son groupe.",
                "This annotation comes from another group: a debate only links its own group's words.",
            )
        )
    row["attributes"] = json.loads(row["attributes"] or "{}")
    return row


def _touch(db: Database, debate_id: int) -> None:
    db.execute("UPDATE debates SET updated_at = ? WHERE id = ?", [now(), debate_id])


def _next_position(db: Database, debate_id: int) -> int:
    top = db.execute("SELECT MAX(position) FROM debate_items WHERE debate_id = ?", [debate_id]).fetchone()[0]
    return (top or 0) + 1


# --- creating and editing --------------------------------------------------------------------


def default_title(db: Database, annotation_ids: Iterable[int] = ()) -> str:
    """A title to start from when the facilitator creates a debate in one keystroke."""
    ids = list(annotation_ids)
    if ids:
        marks = ",".join("?" * len(ids))
        rows = db.execute(
            f"SELECT code, quote FROM annotations WHERE id IN ({marks}) ORDER BY code != 'prescrit', id", ids
        ).fetchall()
        if rows:
            quote = " ".join(rows[0][1].split())
            quote = quote if len(quote) <= 70 else quote[:69].rstrip() + "…"
            return tr("Débat : « {q} »", "Debate: '{q}'", q=quote)
    return tr("Nouveau débat de normes", "New norm debate")


def create_debate(
    db: Database,
    group_id: int,
    title: str = "",
    *,
    annotation_ids: Iterable[int] = (),
    notes: str = "",
    choice: str = "",
    status: str = "ouvert",
    participant_ids: Iterable[int] = (),
    session_ids: Iterable[int] = (),
) -> dict[str, Any]:
    """A new debate, its annotations sorted into norms, renormalisations, values and others.

    An empty title is replaced by one taken from the first norm (or the first annotation).
    Returns get_debate()'s dict.
    """
    get_group(db, group_id)
    annotation_ids = list(dict.fromkeys(annotation_ids))
    title = required(title or default_title(db, annotation_ids), "Le titre du débat", "The debate title", max_len=300)
    _check_status(status)
    with db.atomic():
        stamp = now()
        debate_id = db["debates"].insert(
            {
                "group_id": group_id,
                "title": title,
                "choice": clean_text(choice).strip(),
                "status": status,
                "notes": clean_text(notes).strip(),
                "created_at": stamp,
                "updated_at": stamp,
            }
        ).last_pk
        for annotation_id in annotation_ids:
            link_annotation(db, debate_id, annotation_id)
        for participant_id in participant_ids:
            add_speaker(db, debate_id, participant_id)
        for session_id in session_ids:
            add_session(db, debate_id, session_id)
    return get_debate(db, debate_id)


def update_debate(
    db: Database,
    debate_id: int,
    *,
    title: str | None = None,
    notes: str | None = None,
    choice: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    _debate_row(db, debate_id)
    values: dict[str, Any] = {}
    if title is not None:
        values["title"] = required(title, "Le titre du débat", "The debate title", max_len=300)
    if notes is not None:
        values["notes"] = clean_text(notes).strip()
    if choice is not None:
        values["choice"] = clean_text(choice).strip()
    if status is not None:
        values["status"] = _check_status(status)
    if values:
        values["updated_at"] = now()
        db["debates"].update(debate_id, values)
    return get_debate(db, debate_id)


def set_status(db: Database, debate_id: int, status: str) -> dict[str, Any]:
    return update_debate(db, debate_id, status=status)


def set_choice(db: Database, debate_id: int, choice: str) -> dict[str, Any]:
    """The arbitration the group made ('' to leave the debate open on that point)."""
    return update_debate(db, debate_id, choice=choice)


def delete_debate(db: Database, debate_id: int) -> None:
    _debate_row(db, debate_id)
    db.execute("DELETE FROM debates WHERE id = ?", [debate_id])


def link_annotation(db: Database, debate_id: int, annotation_id: int, kind: str | None = None) -> int:
    """Link an annotation (its kind follows its code unless given); records its session and speaker.

    Returns the item id (the existing one if the annotation is already linked).
    """
    debate = _debate_row(db, debate_id)
    ann = _annotation_in_group(db, annotation_id, debate["group_id"])
    kind = kind or KIND_OF_CODE.get(ann["code"], "autre")
    if kind not in KINDS:
        raise InvalidInput(tr("Type d'élément inconnu : {k}.", "Unknown item kind: {k}.", k=kind))
    existing = db.execute(
        "SELECT id FROM debate_items WHERE debate_id = ? AND annotation_id = ?", [debate_id, annotation_id]
    ).fetchone()
    if existing:
        return existing[0]
    dimension = _check_dimension(ann["attributes"].get("dimension")) if kind == "valeur" else None
    with db.atomic():
        item_id = db["debate_items"].insert(
            {
                "debate_id": debate_id,
                "kind": kind,
                "annotation_id": annotation_id,
                "text": "",
                "dimension": dimension,
                "position": _next_position(db, debate_id),
            }
        ).last_pk
        db.execute("INSERT OR IGNORE INTO debate_sessions(debate_id, session_id) VALUES (?, ?)", [debate_id, ann["session_id"]])
        if ann["participant_id"] is not None:
            db.execute(
                "INSERT OR IGNORE INTO debate_participants(debate_id, participant_id) VALUES (?, ?)",
                [debate_id, ann["participant_id"]],
            )
        _touch(db, debate_id)
    return item_id


def _add_item(
    db: Database, debate_id: int, kind: str, text: str, annotation_id: int | None, dimension: str | None = None
) -> int:
    if annotation_id is not None:
        item_id = link_annotation(db, debate_id, annotation_id, kind)
        if text or dimension:
            update_item(db, item_id, text=text or None, dimension=dimension)
        return item_id
    _debate_row(db, debate_id)
    text = required(text, "Le texte de l'élément", "The item text", max_len=2000)
    item_id = db["debate_items"].insert(
        {
            "debate_id": debate_id,
            "kind": kind,
            "annotation_id": None,
            "text": text,
            "dimension": _check_dimension(dimension) if kind == "valeur" else None,
            "position": _next_position(db, debate_id),
        }
    ).last_pk
    _touch(db, debate_id)
    return item_id


def add_norm(db: Database, debate_id: int, text: str = "", *, annotation_id: int | None = None) -> int:
    """An antecedent norm: free text, or a linked annotation (usually `prescrit`). Returns the item id."""
    return _add_item(db, debate_id, "norme", text, annotation_id)


def add_renormalisation(db: Database, debate_id: int, text: str = "", *, annotation_id: int | None = None) -> int:
    return _add_item(db, debate_id, "renormalisation", text, annotation_id)


def add_value(
    db: Database, debate_id: int, text: str = "", *, dimension: str | None = None, annotation_id: int | None = None
) -> int:
    """A value at stake, with its dimension (mesurable / sans_dimension; taken from the annotation if linked)."""
    return _add_item(db, debate_id, "valeur", text, annotation_id, dimension)


def add_other(db: Database, debate_id: int, text: str = "", *, annotation_id: int | None = None) -> int:
    return _add_item(db, debate_id, "autre", text, annotation_id)


def _item_row(db: Database, item_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM debate_items WHERE id = ?", [item_id]))
    if not rows:
        raise NotFound(tr("Élément de débat introuvable : {id}.", "Debate item not found: {id}.", id=item_id))
    return rows[0]


def update_item(
    db: Database, item_id: int, *, text: str | None = None, dimension: str | None = None, kind: str | None = None
) -> None:
    """Edit an item: its text (a comment when it is a linked annotation), its dimension, its kind."""
    item = _item_row(db, item_id)
    values: dict[str, Any] = {}
    if text is not None:
        text = clean_text(text).strip()
        if not text and item["annotation_id"] is None:
            raise InvalidInput(tr("Le texte de l'élément ne peut pas être vide.", "The item text cannot be empty."))
        values["text"] = text
    if kind is not None:
        if kind not in KINDS:
            raise InvalidInput(tr("Type d'élément inconnu : {k}.", "Unknown item kind: {k}.", k=kind))
        values["kind"] = kind
        if kind != "valeur":
            values["dimension"] = None
    if dimension is not None and (kind or item["kind"]) == "valeur":
        values["dimension"] = _check_dimension(dimension)
    if values:
        db["debate_items"].update(item_id, values)
        _touch(db, item["debate_id"])


def unlink(db: Database, debate_id: int, item_id: int) -> None:
    """Remove an item. Sessions and speakers that only this item's annotation brought in go with it."""
    item = _item_row(db, item_id)
    if item["debate_id"] != debate_id:
        raise InvalidInput(tr("Cet élément n'appartient pas à ce débat.", "This item does not belong to this debate."))
    with db.atomic():
        source = None
        if item["annotation_id"] is not None:
            source = db.execute(
                """SELECT c.session_id, c.participant_id FROM annotations a
                   JOIN contributions c ON c.id = a.contribution_id WHERE a.id = ?""",
                [item["annotation_id"]],
            ).fetchone()
        db.execute("DELETE FROM debate_items WHERE id = ?", [item_id])
        if source:
            session_id, participant_id = source
            still = """SELECT 1 FROM debate_items i JOIN annotations a ON a.id = i.annotation_id
                       JOIN contributions c ON c.id = a.contribution_id WHERE i.debate_id = ? AND c.{col} = ?"""
            if not db.execute(still.format(col="session_id"), [debate_id, session_id]).fetchone():
                db.execute("DELETE FROM debate_sessions WHERE debate_id = ? AND session_id = ?", [debate_id, session_id])
            if participant_id is not None and not db.execute(still.format(col="participant_id"), [debate_id, participant_id]).fetchone():
                db.execute(
                    "DELETE FROM debate_participants WHERE debate_id = ? AND participant_id = ?", [debate_id, participant_id]
                )
        _touch(db, debate_id)


def unlink_annotation(db: Database, debate_id: int, annotation_id: int) -> None:
    row = db.execute(
        "SELECT id FROM debate_items WHERE debate_id = ? AND annotation_id = ?", [debate_id, annotation_id]
    ).fetchone()
    if not row:
        raise NotFound(tr("Cette annotation n'est pas liée à ce débat.", "This annotation is not linked to this debate."))
    unlink(db, debate_id, row[0])


def add_speaker(db: Database, debate_id: int, participant_id: int) -> None:
    debate = _debate_row(db, debate_id)
    if get_participant(db, participant_id).group_id != debate["group_id"]:
        raise InvalidInput(tr("Ce participant n'appartient pas au groupe du débat.", "This participant is not in the debate's group."))
    db.execute("INSERT OR IGNORE INTO debate_participants(debate_id, participant_id) VALUES (?, ?)", [debate_id, participant_id])
    _touch(db, debate_id)


def remove_speaker(db: Database, debate_id: int, participant_id: int) -> None:
    _debate_row(db, debate_id)
    db.execute("DELETE FROM debate_participants WHERE debate_id = ? AND participant_id = ?", [debate_id, participant_id])
    _touch(db, debate_id)


def add_session(db: Database, debate_id: int, session_id: int) -> None:
    debate = _debate_row(db, debate_id)
    if get_session(db, session_id).group_id != debate["group_id"]:
        raise InvalidInput(tr("Cette session n'appartient pas au groupe du débat.", "This session is not in the debate's group."))
    db.execute("INSERT OR IGNORE INTO debate_sessions(debate_id, session_id) VALUES (?, ?)", [debate_id, session_id])
    _touch(db, debate_id)


def remove_session(db: Database, debate_id: int, session_id: int) -> None:
    _debate_row(db, debate_id)
    db.execute("DELETE FROM debate_sessions WHERE debate_id = ? AND session_id = ?", [debate_id, session_id])
    _touch(db, debate_id)


# --- reading ---------------------------------------------------------------------------------


def _items(db: Database, debate_id: int) -> list[dict[str, Any]]:
    rows = db.query(
        """SELECT i.id, i.kind, i.annotation_id, i.text, i.dimension, i.position,
                  a.code, a.quote, a.memo, a.attributes, a.contribution_id,
                  c.off_record, c.session_id, s.date AS session_date,
                  p.pseudonym AS speaker, p.role AS role
           FROM debate_items i
           LEFT JOIN annotations a ON a.id = i.annotation_id
           LEFT JOIN contributions c ON c.id = a.contribution_id
           LEFT JOIN sessions s ON s.id = c.session_id
           LEFT JOIN participants p ON p.id = c.participant_id
           WHERE i.debate_id = ? ORDER BY i.position, i.id""",
        [debate_id],
    )
    items = []
    for r in rows:
        attributes = json.loads(r.pop("attributes") or "{}")
        if r["kind"] == "valeur" and not r["dimension"]:
            r["dimension"] = attributes.get("dimension")
        r["off_record"] = bool(r["off_record"])
        # What a screen shows: the quote for a linked annotation, the text for a free item.
        r["label"] = r["quote"] if r["annotation_id"] is not None else r["text"]
        items.append(r)
    return items


def get_debate(db: Database, debate_id: int) -> dict[str, Any]:
    """The debate with its items (quotes and speakers' pseudonyms), sessions with dates and participants."""
    debate = _debate_row(db, debate_id)
    debate["group_name"] = db.execute("SELECT name FROM groups WHERE id = ?", [debate["group_id"]]).fetchone()[0]
    items = _items(db, debate_id)
    debate["items"] = items
    for kind, key in KIND_KEYS.items():
        debate[key] = [i for i in items if i["kind"] == kind]
    debate["sessions"] = list(
        db.query(
            """SELECT s.id, s.date, s.question FROM debate_sessions ds JOIN sessions s ON s.id = ds.session_id
               WHERE ds.debate_id = ? ORDER BY s.date, s.id""",
            [debate_id],
        )
    )
    debate["participants"] = [
        {**p, "authority": bool(p["authority"])}
        for p in db.query(
            """SELECT p.id, p.pseudonym, p.role, p.authority FROM debate_participants dp
               JOIN participants p ON p.id = dp.participant_id
               WHERE dp.debate_id = ? ORDER BY p.position, p.id""",
            [debate_id],
        )
    ]
    return debate


def list_debates(db: Database, group_id: int | None = None, *, status: str | None = None) -> list[dict[str, Any]]:
    """Debates (newest first) with counts of items, their sessions' dates and their speakers' pseudonyms."""
    where, params = [], []
    if group_id is not None:
        get_group(db, group_id)
        where.append("d.group_id = ?")
        params.append(group_id)
    if status is not None:
        where.append("d.status = ?")
        params.append(_check_status(status))
    sql = f"""
        SELECT d.id, d.group_id, g.name AS group_name, d.title, d.status, d.choice, d.notes,
               d.created_at, d.updated_at,
               (SELECT COUNT(*) FROM debate_items i WHERE i.debate_id = d.id AND i.kind = 'norme') AS norms,
               (SELECT COUNT(*) FROM debate_items i WHERE i.debate_id = d.id AND i.kind = 'renormalisation') AS renormalisations,
               (SELECT COUNT(*) FROM debate_items i WHERE i.debate_id = d.id AND i.kind = 'valeur') AS "values",
               (SELECT COUNT(*) FROM debate_items i WHERE i.debate_id = d.id AND i.kind = 'autre') AS others,
               (SELECT json_group_array(date) FROM (SELECT s.date FROM debate_sessions ds JOIN sessions s
                    ON s.id = ds.session_id WHERE ds.debate_id = d.id ORDER BY s.date, s.id)) AS session_dates,
               (SELECT json_group_array(pseudonym) FROM (SELECT p.pseudonym FROM debate_participants dp JOIN participants p
                    ON p.id = dp.participant_id WHERE dp.debate_id = d.id ORDER BY p.position, p.id)) AS speakers
        FROM debates d JOIN groups g ON g.id = d.group_id
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY g.name COLLATE NOCASE, d.created_at DESC, d.id DESC
    """
    out = []
    for r in db.query(sql, params):
        r["session_dates"] = json.loads(r["session_dates"])
        r["speakers"] = json.loads(r["speakers"])
        r["first_date"] = r["session_dates"][0] if r["session_dates"] else r["created_at"][:10]
        out.append(r)
    return out


def debates_for_annotation(db: Database, annotation_id: int) -> list[dict[str, Any]]:
    """The debates an annotation is linked to (id, title, status), for the annotation screen."""
    return list(
        db.query(
            """SELECT DISTINCT d.id, d.title, d.status FROM debate_items i JOIN debates d ON d.id = i.debate_id
               WHERE i.annotation_id = ? ORDER BY d.id""",
            [annotation_id],
        )
    )


# --- demo ------------------------------------------------------------------------------------


def _demo_annotation(created: dict[str, Any], quote: str):
    if quote in created["annotations"]:
        return created["annotations"][quote]
    raise InvalidInput(
        tr("Démo : aucune annotation pour la citation « {q} ».", "Demo: no annotation for the quote '{q}'.", q=quote)
    )


def load_demo_debates(db: Database, data: dict[str, Any], created: dict[str, Any]) -> list[int]:
    """Load the demo's debates (grt/data/demo.json, section "debates"); returns their ids."""
    group = created["group"]
    ids = []
    adders = {"norms": add_norm, "renormalisations": add_renormalisation, "others": add_other}
    for d in data.get("debates", []):
        debate_id = create_debate(
            db, group.id, d["title"], notes=d.get("notes") or "", choice=d.get("choice") or "", status=d.get("status") or "ouvert"
        )["id"]
        for key, add in adders.items():
            for item in d.get(key, []):
                if item.get("quote"):
                    add(db, debate_id, item.get("text", ""), annotation_id=_demo_annotation(created, item["quote"]).id)
                else:
                    add(db, debate_id, item["text"])
        for item in d.get("values", []):
            annotation_id = _demo_annotation(created, item["quote"]).id if item.get("quote") else None
            add_value(db, debate_id, item.get("text", ""), dimension=item.get("dimension"), annotation_id=annotation_id)
        for pseudonym in d.get("speakers", []):
            add_speaker(db, debate_id, created["participants"][pseudonym].id)
        for index in d.get("sessions", []):
            add_session(db, debate_id, created["sessions"][index].id)
        ids.append(debate_id)
    return ids
