"""The three-pole synthesis of one session or a range of sessions, and its validation by the group.

A synthesis holds items (an annotation's quote placed in a pole), a text per pole, an introduction, and
the names to mask. It is pre-filled from the annotations by the codes' default poles (codes.poles); the
facilitator moves, drops and orders items; the group validates or withholds each one. Only validated,
kept items of contributions that are not off the record ever leave (see grt.export).

One item per quote and pole: several codes on the same passage give one item, showing all its codes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from sqlite_utils import Database

from .db import now
from .errors import InvalidInput, NotFound
from .groups import get_group, list_participants
from .i18n import language, tr
from .sessions import get_session
from .validation import clean_text, long_text

POLES = ("savoirs", "experience", "ethique")
VALIDATIONS = ("pending", "validated", "withheld")
# Where a code with no default pole goes: the lived situations are the widest pole.
FALLBACK_POLE = "experience"
_MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def pole_label(pole: str) -> str:
    return {
        "savoirs": tr("Pôle des savoirs académiques et institutionnels", "Pole of academic and institutional knowledge"),
        "experience": tr("Pôle des savoirs d'expérience", "Pole of experiential knowledge"),
        "ethique": tr("Pôle des exigences éthiques", "Pole of ethical requirements"),
    }[pole]


def pole_short_label(pole: str) -> str:
    return {
        "savoirs": tr("Savoirs", "Knowledge"),
        "experience": tr("Expérience", "Experience"),
        "ethique": tr("Éthique", "Ethics"),
    }[pole]


def pole_explanation(pole: str) -> str:
    """One sentence a reader who has never heard of ergology understands."""
    return {
        "savoirs": tr(
            "Ce qui encadre le travail avant qu'il ne commence : lois, règles du métier, procédures, financements, "
            "outils et consignes, tels que le groupe les a discutés.",
            "What frames the work before it starts: laws, rules of the trade, procedures, funding, tools and "
            "instructions, as the group discussed them.",
        ),
        "experience": tr(
            "Le travail tel qu'il se fait réellement : les situations vécues, les ajustements que les professionnels "
            "inventent pour que le travail se fasse, et les autres façons de faire qu'ils entrevoient.",
            "Work as it is really done: the situations lived, the adjustments workers invent to get the work done, "
            "and the other ways of doing they glimpse.",
        ),
        "ethique": tr(
            "Ce qui compte et donne sens au travail : les valeurs, les missions, le projet associatif, et les "
            "arbitrages qu'elles imposent quand elles entrent en concurrence.",
            "What matters and gives the work its meaning: values, missions, the association's project, and the "
            "trade-offs they force when they compete.",
        ),
    }[pole]


def validation_label(value: str) -> str:
    return {
        "pending": tr("à valider", "to validate"),
        "validated": tr("validé", "validated"),
        "withheld": tr("retenu par le groupe", "withheld by the group"),
    }[value]


def long_date(iso: str | None) -> str:
    """'2026-09-17' -> '17 septembre 2026' (or 'September 17, 2026'); '' for nothing."""
    if not iso:
        return ""
    try:
        d = dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    if language() == "en":
        return f"{_MONTHS_EN[d.month - 1]} {d.day}, {d.year}"
    return f"{'1er' if d.day == 1 else d.day} {_MONTHS_FR[d.month - 1]} {d.year}"


def short_date(iso: str | None) -> str:
    """'2026-09-17' -> '17/09/2026' (or '09/17/2026' in English), for tables."""
    if not iso:
        return ""
    try:
        d = dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return d.strftime("%m/%d/%Y") if language() == "en" else d.strftime("%d/%m/%Y")


def _check_pole(pole: str) -> str:
    if pole not in POLES:
        raise InvalidInput(
            tr("Pôle inconnu : « {p} » (savoirs, experience ou ethique).", "Unknown pole: '{p}' (savoirs, experience or ethique).", p=pole)
        )
    return pole


# --- models ----------------------------------------------------------------------------------


@dataclass
class Synthesis:
    id: int
    group_id: int
    title: str = ""
    introduction: str = ""
    text_savoirs: str = ""
    text_experience: str = ""
    text_ethique: str = ""
    validated_at: str | None = None
    created_at: str = ""
    updated_at: str = ""
    session_ids: list[int] = field(default_factory=list)

    @property
    def validated(self) -> bool:
        return bool(self.validated_at)

    def text(self, pole: str) -> str:
        return getattr(self, "text_" + _check_pole(pole))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SynthesisItem:
    id: int
    synthesis_id: int
    annotation_id: int
    pole: str
    position: int
    dropped: bool
    validation: str
    quote: str
    code: str
    codes: list[str]  # every code on this passage, in codebook order
    attributes: dict[str, dict[str, Any]]  # code -> its attributes (dimension, destination)
    contribution_id: int
    start: int
    end: int
    session_id: int
    session_date: str
    participant_id: int | None
    speaker: str  # pseudonym, or role when the pseudonym repeats a real name

    @property
    def span(self) -> tuple[int, int, int]:
        return (self.contribution_id, self.start, self.end)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- reading ---------------------------------------------------------------------------------


def get_synthesis(db: Database, synthesis_id: int) -> Synthesis:
    rows = list(db.query("SELECT * FROM syntheses WHERE id = ?", [synthesis_id]))
    if not rows:
        raise NotFound(tr("Synthèse introuvable : {id}.", "Synthesis not found: {id}.", id=synthesis_id))
    sessions = [
        r[0]
        for r in db.execute(
            """SELECT s.id FROM synthesis_sessions ss JOIN sessions s ON s.id = ss.session_id
               WHERE ss.synthesis_id = ? ORDER BY s.date, s.id""",
            [synthesis_id],
        ).fetchall()
    ]
    return Synthesis(**rows[0], session_ids=sessions)


def list_syntheses(db: Database, group_id: int | None = None) -> list[dict[str, Any]]:
    """Syntheses (newest sessions first) with their sessions' dates and item counts, for lists and pickers."""
    where, params = ("WHERE y.group_id = ?", [group_id]) if group_id is not None else ("", [])
    out = []
    for row in db.query(f"SELECT y.id FROM syntheses y {where} ORDER BY y.id DESC", params):
        s = get_synthesis(db, row["id"])
        d = s.to_dict()
        d["dates"] = [get_session(db, sid).date for sid in s.session_ids]
        d["counts"] = validation_counts(db, s.id)
        out.append(d)
    out.sort(key=lambda d: (max(d["dates"]) if d["dates"] else "", d["id"]), reverse=True)
    return out


def _code_order(db: Database) -> dict[str, int]:
    return {r[0]: i for i, r in enumerate(db.execute("SELECT id FROM codes ORDER BY position, id").fetchall())}


def _speakers(db: Database, group_id: int) -> dict[int, str]:
    from .anonymize import speaker_label

    people = list_participants(db, group_id)
    return {p.id: speaker_label(p, people) for p in people}


_ITEMS_SQL = """
    SELECT i.id, i.synthesis_id, i.annotation_id, i.pole, i.position, i.dropped, i.validation,
           a.code, a.quote, a.start, a."end" AS "end", a.contribution_id,
           c.session_id, c.participant_id, s.date AS session_date
    FROM synthesis_items i
    JOIN annotations a ON a.id = i.annotation_id
    JOIN contributions c ON c.id = a.contribution_id
    JOIN sessions s ON s.id = c.session_id
    WHERE i.synthesis_id = ? AND c.off_record = 0 AND c.draft = 0
"""


def list_items(
    db: Database,
    synthesis_id: int,
    pole: str | None = None,
    *,
    include_dropped: bool = False,
    validation: str | None = None,
) -> list[SynthesisItem]:
    """Items in pole order, then position. Items of contributions now off the record are never returned."""
    synthesis = get_synthesis(db, synthesis_id)
    sql, params = _ITEMS_SQL, [synthesis_id]
    if pole is not None:
        sql += " AND i.pole = ?"
        params.append(_check_pole(pole))
    if not include_dropped:
        sql += " AND i.dropped = 0"
    if validation is not None:
        sql += " AND i.validation = ?"
        params.append(validation)
    sql += " ORDER BY CASE i.pole WHEN 'savoirs' THEN 0 WHEN 'experience' THEN 1 ELSE 2 END, i.position, i.id"
    rows = list(db.query(sql, params))
    if not rows:
        return []
    # All codes on each passage, so that an item shows every tag the facilitator put there.
    order = _code_order(db)
    spans: dict[tuple[int, int, int], dict[str, dict[str, Any]]] = {}
    contribution_ids = sorted({r["contribution_id"] for r in rows})
    for chunk in range(0, len(contribution_ids), 500):
        ids = contribution_ids[chunk : chunk + 500]
        for a in db.execute(
            f'SELECT contribution_id, start, "end", code, attributes FROM annotations WHERE contribution_id IN ({",".join("?" * len(ids))})',
            ids,
        ).fetchall():
            spans.setdefault((a[0], a[1], a[2]), {})[a[3]] = json.loads(a[4] or "{}")
    speakers = _speakers(db, synthesis.group_id)
    from .anonymize import speaker_label

    items = []
    for r in rows:
        codes = spans.get((r["contribution_id"], r["start"], r["end"]), {r["code"]: {}})
        items.append(
            SynthesisItem(
                id=r["id"],
                synthesis_id=r["synthesis_id"],
                annotation_id=r["annotation_id"],
                pole=r["pole"],
                position=r["position"],
                dropped=bool(r["dropped"]),
                validation=r["validation"],
                quote=r["quote"],
                code=r["code"],
                codes=sorted(codes, key=lambda c: order.get(c, 10**6)),
                attributes=codes,
                contribution_id=r["contribution_id"],
                start=r["start"],
                end=r["end"],
                session_id=r["session_id"],
                session_date=r["session_date"],
                participant_id=r["participant_id"],
                speaker=speakers.get(r["participant_id"]) if r["participant_id"] is not None else speaker_label(None, []),
            )
        )
    return items


def get_item(db: Database, item_id: int) -> SynthesisItem:
    row = db.execute("SELECT synthesis_id FROM synthesis_items WHERE id = ?", [item_id]).fetchone()
    if row:
        for item in list_items(db, row[0], include_dropped=True):
            if item.id == item_id:
                return item
    raise NotFound(tr("Extrait introuvable : {id}.", "Item not found: {id}.", id=item_id))


def validation_counts(db: Database, synthesis_id: int) -> dict[str, int]:
    """How many kept items are pending, validated, withheld; and how many were dropped."""
    counts = {v: 0 for v in VALIDATIONS} | {"dropped": 0}
    for dropped, validation, n in db.execute(
        """SELECT i.dropped, i.validation, COUNT(*) FROM synthesis_items i
           JOIN annotations a ON a.id = i.annotation_id JOIN contributions c ON c.id = a.contribution_id
           WHERE i.synthesis_id = ? AND c.off_record = 0 AND c.draft = 0 GROUP BY i.dropped, i.validation""",
        [synthesis_id],
    ).fetchall():
        counts["dropped" if dropped else validation] += n
    return counts


# --- creating and finding --------------------------------------------------------------------


def _check_sessions(db: Database, group_id: int | None, session_ids: Iterable[int]) -> tuple[int, list[int]]:
    ids = list(dict.fromkeys(int(s) for s in session_ids))
    if not ids:
        raise InvalidInput(tr("Choisissez au moins une séance pour la synthèse.", "Pick at least one session for the synthesis."))
    sessions = [get_session(db, sid) for sid in ids]
    group_ids = {s.group_id for s in sessions}
    if group_id is None and len(group_ids) == 1:
        group_id = group_ids.pop()
    if group_ids - {group_id} or group_id is None:
        raise InvalidInput(
            tr("Une synthèse ne réunit que des séances d'un même groupe.", "A synthesis only gathers sessions of one group.")
        )
    return group_id, [s.id for s in sorted(sessions, key=lambda s: (s.date, s.id))]


def default_title(db: Database, session_ids: list[int]) -> str:
    dates = sorted(get_session(db, sid).date for sid in session_ids)
    if len(dates) == 1:
        return tr("Synthèse de la séance du {d}", "Synthesis of the session of {d}", d=long_date(dates[0]))
    return tr("Synthèse des séances du {a} au {b}", "Synthesis of the sessions from {a} to {b}", a=long_date(dates[0]), b=long_date(dates[-1]))


def _default_poles(db: Database) -> dict[str, list[str]]:
    """Each code's default poles; a code without any takes its family's, else the fallback pole."""
    rows = {r[0]: (r[1], json.loads(r[2] or "[]")) for r in db.execute("SELECT id, parent, poles FROM codes").fetchall()}
    out = {}
    for code, (parent, poles) in rows.items():
        if not poles and parent in rows:
            poles = rows[parent][1]
        out[code] = [p for p in poles if p in POLES] or [FALLBACK_POLE]
    return out


def _add_missing_items(db: Database, synthesis_id: int, session_ids: list[int]) -> int:
    """Add an item per new passage and default pole; passages already in the synthesis (anywhere) are left alone."""
    if not session_ids:
        return 0
    present = {
        (r[0], r[1], r[2])
        for r in db.execute(
            """SELECT a.contribution_id, a.start, a."end" FROM synthesis_items i JOIN annotations a ON a.id = i.annotation_id
               WHERE i.synthesis_id = ?""",
            [synthesis_id],
        ).fetchall()
    }
    marks = ",".join("?" * len(session_ids))
    candidates = db.execute(
        f"""SELECT a.id, a.code, a.contribution_id, a.start, a."end" FROM annotations a
            JOIN contributions c ON c.id = a.contribution_id JOIN sessions s ON s.id = c.session_id
            WHERE c.session_id IN ({marks}) AND c.off_record = 0 AND c.draft = 0
            ORDER BY s.date, s.id, c.position, a.start, a."end", a.id""",
        session_ids,
    ).fetchall()
    poles = _default_poles(db)
    top = {p: -1 for p in POLES}
    for pole, pos in db.execute(
        "SELECT pole, MAX(position) FROM synthesis_items WHERE synthesis_id = ? GROUP BY pole", [synthesis_id]
    ).fetchall():
        top[pole] = pos
    added: set[tuple[tuple[int, int, int], str]] = set()
    rows = []
    for ann_id, code, cid, start, end in candidates:
        span = (cid, start, end)
        if span in present:
            continue
        for pole in poles.get(code, [FALLBACK_POLE]):
            if (span, pole) in added:
                continue
            added.add((span, pole))
            top[pole] += 1
            rows.append(
                {"synthesis_id": synthesis_id, "annotation_id": ann_id, "pole": pole, "position": top[pole], "dropped": 0, "validation": "pending"}
            )
    if rows:
        db["synthesis_items"].insert_all(rows)
    return len(rows)


def create_synthesis(db: Database, group_id: int, session_ids: Iterable[int], *, title: str | None = None) -> Synthesis:
    """A new synthesis of these sessions, pre-filled from their annotations (never from off-record contributions)."""
    get_group(db, group_id)
    group_id, ids = _check_sessions(db, group_id, session_ids)
    stamp = now()
    with db.atomic():
        sid = db["syntheses"].insert(
            {
                "group_id": group_id,
                "title": _title(title) if title else default_title(db, ids),
                "introduction": "",
                "text_savoirs": "",
                "text_experience": "",
                "text_ethique": "",
                "validated_at": None,
                "created_at": stamp,
                "updated_at": stamp,
            }
        ).last_pk
        db["synthesis_sessions"].insert_all([{"synthesis_id": sid, "session_id": s} for s in ids])
        _add_missing_items(db, sid, ids)
    return get_synthesis(db, sid)


def find_synthesis(db: Database, session_ids: Iterable[int]) -> Synthesis | None:
    """The synthesis covering exactly these sessions, if there is one (the newest)."""
    wanted = sorted(set(int(s) for s in session_ids))
    if not wanted:
        return None
    marks = ",".join("?" * len(wanted))
    for (sid,) in db.execute(
        f"SELECT DISTINCT synthesis_id FROM synthesis_sessions WHERE session_id IN ({marks}) ORDER BY synthesis_id DESC", wanted
    ).fetchall():
        have = sorted(r[0] for r in db.execute("SELECT session_id FROM synthesis_sessions WHERE synthesis_id = ?", [sid]).fetchall())
        if have == wanted:
            return get_synthesis(db, sid)
    return None


def open_synthesis(db: Database, session_ids: Iterable[int]) -> Synthesis:
    """The synthesis of these sessions, created if needed; one still being prepared takes in new annotations.

    A validated synthesis is left as the group validated it (use refresh_synthesis to take in more).
    """
    group_id, ids = _check_sessions(db, None, session_ids)
    existing = find_synthesis(db, ids)
    if existing is None:
        return create_synthesis(db, group_id, ids)
    if not existing.validated:
        refresh_synthesis(db, existing.id)
    return get_synthesis(db, existing.id)


def refresh_synthesis(db: Database, synthesis_id: int) -> int:
    """Add the passages annotated since the synthesis was made. Returns how many items were added.

    New items wait for the group's decision, so a validated synthesis that receives some is validated no more.
    """
    s = get_synthesis(db, synthesis_id)
    with db.atomic():
        added = _add_missing_items(db, synthesis_id, s.session_ids)
        if added:
            db["syntheses"].update(synthesis_id, {"validated_at": None, "updated_at": now()})
    return added


def synthesis_for_session(db: Database, session_id: int) -> Synthesis | None:
    """The synthesis to export for a session: its own, else the newest validated one that includes it, else any."""
    get_session(db, session_id)
    own = find_synthesis(db, [session_id])
    if own is not None:
        return own
    rows = db.execute(
        """SELECT y.id FROM syntheses y JOIN synthesis_sessions ss ON ss.synthesis_id = y.id
           WHERE ss.session_id = ? ORDER BY y.validated_at IS NULL, y.validated_at DESC, y.id DESC LIMIT 1""",
        [session_id],
    ).fetchone()
    return get_synthesis(db, rows[0]) if rows else None


def latest_validated(db: Database, group_id: int) -> Synthesis | None:
    """The group's most recently validated synthesis."""
    get_group(db, group_id)
    row = db.execute(
        "SELECT id FROM syntheses WHERE group_id = ? AND validated_at IS NOT NULL ORDER BY validated_at DESC, id DESC LIMIT 1",
        [group_id],
    ).fetchone()
    return get_synthesis(db, row[0]) if row else None


def delete_synthesis(db: Database, synthesis_id: int) -> None:
    get_synthesis(db, synthesis_id)
    db.execute("DELETE FROM syntheses WHERE id = ?", [synthesis_id])


# --- editing ---------------------------------------------------------------------------------


def _item_row(db: Database, item_id: int) -> dict[str, Any]:
    rows = list(
        db.query(
            """SELECT i.*, a.contribution_id, a.start, a."end" AS "end" FROM synthesis_items i
               JOIN annotations a ON a.id = i.annotation_id WHERE i.id = ?""",
            [item_id],
        )
    )
    if not rows:
        raise NotFound(tr("Extrait introuvable : {id}.", "Item not found: {id}.", id=item_id))
    return rows[0]


def _touch(db: Database, synthesis_id: int) -> None:
    db.execute("UPDATE syntheses SET updated_at = ? WHERE id = ?", [now(), synthesis_id])


def _pole_ids(db: Database, synthesis_id: int, pole: str, *, include_dropped: bool) -> list[int]:
    sql = "SELECT id FROM synthesis_items WHERE synthesis_id = ? AND pole = ?" + ("" if include_dropped else " AND dropped = 0")
    return [r[0] for r in db.execute(sql + " ORDER BY position, id", [synthesis_id, pole]).fetchall()]


def _renumber(db: Database, ordered_ids: list[int]) -> None:
    db.conn.executemany("UPDATE synthesis_items SET position = ? WHERE id = ?", [(i, item_id) for i, item_id in enumerate(ordered_ids)])


def move_item(db: Database, item_id: int, pole: str, index: int | None = None) -> SynthesisItem:
    """Move an item to another pole (at the end, or at index among that pole's kept items)."""
    row = _item_row(db, item_id)
    _check_pole(pole)
    if pole != row["pole"]:
        twin = db.execute(
            """SELECT i.id, i.dropped FROM synthesis_items i JOIN annotations a ON a.id = i.annotation_id
               WHERE i.synthesis_id = ? AND i.pole = ? AND a.contribution_id = ? AND a.start = ? AND a."end" = ?""",
            [row["synthesis_id"], pole, row["contribution_id"], row["start"], row["end"]],
        ).fetchone()
        if twin and not twin[1]:
            raise InvalidInput(
                tr("Cet extrait est déjà dans le pôle « {p} ».", "This passage is already in the pole '{p}'.", p=pole_short_label(pole))
            )
    with db.atomic():
        if pole != row["pole"]:
            if twin:
                # A dropped copy of the same passage makes way for the one being moved.
                db.execute("DELETE FROM synthesis_items WHERE id = ?", [twin[0]])
            db.execute("UPDATE synthesis_items SET pole = ?, position = ? WHERE id = ?", [pole, 10**9, item_id])
        ids = [i for i in _pole_ids(db, row["synthesis_id"], pole, include_dropped=False) if i != item_id]
        at = len(ids) if index is None else max(0, min(int(index), len(ids)))
        if pole != row["pole"] or index is not None:
            ids.insert(at, item_id)
            _renumber(db, ids + [i for i in _pole_ids(db, row["synthesis_id"], pole, include_dropped=True) if i not in ids])
        _touch(db, row["synthesis_id"])
    return get_item(db, item_id)


def shift_item(db: Database, item_id: int, delta: int) -> SynthesisItem:
    """Move an item up (negative delta) or down among the kept items of its pole."""
    row = _item_row(db, item_id)
    ids = _pole_ids(db, row["synthesis_id"], row["pole"], include_dropped=False)
    if item_id not in ids:
        return get_item(db, item_id)
    at = max(0, min(ids.index(item_id) + int(delta), len(ids) - 1))
    return move_item(db, item_id, row["pole"], at)


def reorder_pole(db: Database, synthesis_id: int, pole: str, item_ids: Iterable[int]) -> None:
    """Put a pole's items in this order; items not listed follow, in their current order."""
    get_synthesis(db, synthesis_id)
    _check_pole(pole)
    current = _pole_ids(db, synthesis_id, pole, include_dropped=True)
    wanted = [int(i) for i in item_ids]
    strangers = [i for i in wanted if i not in current]
    if strangers:
        raise InvalidInput(
            tr("Ces extraits ne sont pas dans ce pôle : {ids}.", "These items are not in this pole: {ids}.", ids=", ".join(map(str, strangers)))
        )
    with db.atomic():
        _renumber(db, list(dict.fromkeys(wanted)) + [i for i in current if i not in wanted])
        _touch(db, synthesis_id)


def _set_item(db: Database, item_id: int, **values: Any) -> SynthesisItem:
    row = _item_row(db, item_id)
    with db.atomic():
        db["synthesis_items"].update(item_id, values)
        _touch(db, row["synthesis_id"])
    return get_item(db, item_id)


def drop_item(db: Database, item_id: int) -> SynthesisItem:
    """Leave an item out of the synthesis (it can be restored)."""
    return _set_item(db, item_id, dropped=1)


def restore_item(db: Database, item_id: int) -> SynthesisItem:
    return _set_item(db, item_id, dropped=0)


def set_validation(db: Database, item_id: int, validation: str) -> SynthesisItem:
    if validation not in VALIDATIONS:
        raise InvalidInput(tr("Décision inconnue : {v}.", "Unknown decision: {v}.", v=validation))
    return _set_item(db, item_id, validation=validation)


def validate_item(db: Database, item_id: int) -> SynthesisItem:
    """The group agrees that this passage may leave."""
    return set_validation(db, item_id, "validated")


def withhold_item(db: Database, item_id: int) -> SynthesisItem:
    """The group keeps this passage to itself: it will not be exported."""
    return set_validation(db, item_id, "withheld")


def validate_all(db: Database, synthesis_id: int, pole: str | None = None) -> int:
    """Validate every kept item still pending (withheld ones stay withheld). Returns how many."""
    get_synthesis(db, synthesis_id)
    ids = [i.id for i in list_items(db, synthesis_id, pole, validation="pending")]
    with db.atomic():
        db.conn.executemany("UPDATE synthesis_items SET validation = 'validated' WHERE id = ?", [(i,) for i in ids])
        _touch(db, synthesis_id)
    return len(ids)


def _title(title: str) -> str:
    title = " ".join(clean_text(title).split())
    if len(title) > 300:
        raise InvalidInput(tr("Le titre est trop long (300 caractères au plus).", "The title is too long (at most 300 characters)."))
    return title


def set_texts(
    db: Database,
    synthesis_id: int,
    *,
    title: str | None = None,
    introduction: str | None = None,
    savoirs: str | None = None,
    experience: str | None = None,
    ethique: str | None = None,
) -> Synthesis:
    """Set the title, the introduction and the text of each pole (None leaves a field as it is)."""
    s = get_synthesis(db, synthesis_id)
    values: dict[str, Any] = {}
    if title is not None:
        values["title"] = _title(title) or default_title(db, s.session_ids)
    if introduction is not None:
        values["introduction"] = long_text(introduction).strip()
    for pole, text in (("savoirs", savoirs), ("experience", experience), ("ethique", ethique)):
        if text is not None:
            values["text_" + pole] = long_text(text).strip()
    if values:
        values["updated_at"] = now()
        db["syntheses"].update(synthesis_id, values)
    return get_synthesis(db, synthesis_id)


def set_pole_text(db: Database, synthesis_id: int, pole: str, text: str) -> Synthesis:
    return set_texts(db, synthesis_id, **{_check_pole(pole): text})


def mark_validated(db: Database, synthesis_id: int, when: str | None = None) -> Synthesis:
    """Record that the group validated the synthesis (every kept item validated or withheld)."""
    get_synthesis(db, synthesis_id)
    pending = validation_counts(db, synthesis_id)["pending"]
    if pending:
        raise InvalidInput(
            tr(
                "Encore {n} extrait(s) en attente : faites valider ou retenir chacun par le groupe (ou validez tout) avant de marquer la synthèse validée.",
                "{n} item(s) still pending: have the group validate or withhold each one (or validate all) before marking the synthesis validated.",
                n=pending,
            )
        )
    stamp = now() if when is None else str(when)
    db["syntheses"].update(synthesis_id, {"validated_at": stamp, "updated_at": now()})
    return get_synthesis(db, synthesis_id)


def reopen_synthesis(db: Database, synthesis_id: int) -> Synthesis:
    """Take a validated synthesis back to work (it must be validated again before export)."""
    get_synthesis(db, synthesis_id)
    db["syntheses"].update(synthesis_id, {"validated_at": None, "updated_at": now()})
    return get_synthesis(db, synthesis_id)


# --- names to mask ---------------------------------------------------------------------------


def list_replacements(db: Database, synthesis_id: int) -> list[dict[str, Any]]:
    """The names masked in this synthesis: original, replacement, kind ('nom_reel' or 'repere'), kept as is."""
    from .anonymize import real_name_of

    s = get_synthesis(db, synthesis_id)
    people = list_participants(db, s.group_id)
    out = []
    for r in db.query(
        "SELECT id, original, replacement FROM synthesis_replacements WHERE synthesis_id = ? ORDER BY original COLLATE NOCASE", [synthesis_id]
    ):
        r["kind"] = "nom_reel" if real_name_of(r["original"], people) else "repere"
        r["kept"] = r["original"] == r["replacement"]
        out.append(r)
    return out


def replacements_map(db: Database, synthesis_id: int) -> dict[str, str]:
    return dict(db.execute("SELECT original, replacement FROM synthesis_replacements WHERE synthesis_id = ?", [synthesis_id]).fetchall())


def set_replacement(db: Database, synthesis_id: int, original: str, replacement: str) -> dict[str, Any]:
    """Correct (or add) how a name is masked. replacement == original keeps the word (not a name)."""
    from .anonymize import real_name_of

    s = get_synthesis(db, synthesis_id)
    people = list_participants(db, s.group_id)
    original = " ".join(clean_text(original).split())
    replacement = " ".join(clean_text(replacement).split())
    if not original:
        raise InvalidInput(tr("Le nom à remplacer est vide.", "The name to replace is empty."))
    if not replacement:
        raise InvalidInput(tr("Le remplacement ne peut pas être vide (mettez par exemple [personne]).", "The replacement cannot be empty (e.g. [person])."))
    if replacement == original and real_name_of(original, people) is not None:
        # Not even a part of it (a surname alone identifies someone): real names never leave the group.
        raise InvalidInput(tr("Un vrai nom ne peut pas rester dans la synthèse.", "A real name cannot stay in the synthesis."))
    if replacement != original and real_name_of(replacement, people) is not None:
        raise InvalidInput(tr("Le remplacement contient le vrai nom d'un participant.", "The replacement holds a participant's real name."))
    db.execute(
        """INSERT INTO synthesis_replacements(synthesis_id, original, replacement) VALUES (?, ?, ?)
           ON CONFLICT(synthesis_id, original) DO UPDATE SET replacement = excluded.replacement""",
        [synthesis_id, original, replacement],
    )
    return next(r for r in list_replacements(db, synthesis_id) if r["original"] == original)


def remove_replacement(db: Database, synthesis_id: int, original: str) -> None:
    """Forget a replacement (a later scan may find the name again; to keep a word, set it to itself)."""
    get_synthesis(db, synthesis_id)
    db.execute("DELETE FROM synthesis_replacements WHERE synthesis_id = ? AND original = ?", [synthesis_id, original])


def scan_names(db: Database, synthesis_id: int, *, nlp: Any = None, use_model: bool = True) -> list[str]:
    """Look for people's names in everything that would leave; store the new ones with their default replacement.

    Replacements the facilitator already set are never touched. Returns the names newly added. When nothing
    changed since the last scan with the model (same texts, participants and replacements), the model is not
    needed again.
    """
    import hashlib

    from .anonymize import default_replacement, find_names, ner_pipeline
    from .export import exported_texts
    from .settings import get_setting, set_setting

    s = get_synthesis(db, synthesis_id)
    people = list_participants(db, s.group_id)
    texts = exported_texts(db, synthesis_id)

    def fingerprint() -> str:
        # A replacement the facilitator removed changes it too: that name must be looked for again.
        state = [texts, [(p.pseudonym, p.role, p.real_name) for p in people], sorted(replacements_map(db, synthesis_id))]
        return hashlib.sha256(json.dumps(state, ensure_ascii=False).encode("utf-8")).hexdigest()

    key = f"synthesis.{synthesis_id}.names_scanned"
    if use_model and get_setting(db, key) == fingerprint():
        return []
    if nlp is None and use_model:
        nlp = ner_pipeline()
    known = replacements_map(db, synthesis_id)
    names = find_names(texts, people, nlp=nlp, use_model=False)
    new = [n for n in names if n not in known]
    with db.atomic():
        if new:
            db["synthesis_replacements"].insert_all(
                [{"synthesis_id": synthesis_id, "original": n, "replacement": default_replacement(n, people)} for n in new],
                ignore=True,
            )
        if nlp is not None:
            set_setting(db, key, fingerprint())
    return new


# --- demo ------------------------------------------------------------------------------------


def load_demo_synthesis(db: Database, data: dict[str, Any], created: dict[str, Any]) -> int | None:
    """The demo's validated synthesis (grt/data/demo.json, section "synthesis"); returns its id."""
    spec = data.get("synthesis")
    if not spec:
        return None
    session_ids = [created["sessions"][i].id for i in spec.get("sessions", [0])]
    synthesis = create_synthesis(db, created["group"].id, session_ids, title=spec.get("title") or None)
    texts = spec.get("texts", {})
    set_texts(
        db,
        synthesis.id,
        introduction=spec.get("introduction", ""),
        savoirs=texts.get("savoirs", ""),
        experience=texts.get("experience", ""),
        ethique=texts.get("ethique", ""),
    )
    withheld_quotes = set(spec.get("withheld_quotes", []))
    withheld_ids = {a.id for q, a in created.get("annotations", {}).items() if q in withheld_quotes}
    for item in list_items(db, synthesis.id):
        if item.annotation_id in withheld_ids or item.quote in withheld_quotes:
            withhold_item(db, item.id)
    validate_all(db, synthesis.id)
    if spec.get("validated_at"):
        mark_validated(db, synthesis.id, when=spec["validated_at"])
    return synthesis.id
