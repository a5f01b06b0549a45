"""The codebook: stable ASCII codes with French/English labels, seeded from the default of DOMAIN.md.

Annotations reference a code by its id, so labels, colours and definitions can be edited at any time.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .errors import InvalidInput, NotFound
from .i18n import language, tr
from .models import Code

CODE_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
POLES = ("savoirs", "experience", "ethique")
EDITABLE = ("label_fr", "label_en", "definition_fr", "definition_en", "color", "shortcut", "poles", "attributes", "cues", "active", "parent", "position")


def default_codebook() -> list[dict[str, Any]]:
    text = resources.files("grt").joinpath("data/codebook.json").read_text(encoding="utf-8")
    return json.loads(text)["codes"]


def _to_row(entry: dict[str, Any], position: int, builtin: bool) -> dict[str, Any]:
    return {
        "id": entry["id"],
        "parent": entry.get("parent"),
        "is_group": int(bool(entry.get("is_group"))),
        "label_fr": entry["label_fr"],
        "label_en": entry.get("label_en", ""),
        "definition_fr": entry.get("definition_fr", ""),
        "definition_en": entry.get("definition_en", ""),
        "color": entry.get("color", "#888888"),
        "shortcut": entry.get("shortcut", ""),
        "poles": json.dumps(entry.get("poles", [])),
        "attributes": json.dumps(entry.get("attributes", {}), ensure_ascii=False),
        "cues": json.dumps(entry.get("cues", []), ensure_ascii=False),
        "position": entry.get("position", position),
        "active": int(entry.get("active", True)),
        "builtin": int(builtin),
    }


def seed_default_codebook(db: Database) -> None:
    """Insert the default codes that are missing; never touch a code the facilitator edited."""
    existing = {r[0] for r in db.execute("SELECT id FROM codes").fetchall()}
    missing = [e for e in default_codebook() if e["id"] not in existing]
    if not missing:
        return
    positions = {e["id"]: i * 10 for i, e in enumerate(default_codebook())}
    with db.atomic():
        # Parents first, so that the foreign key on parent holds.
        for entry in sorted(missing, key=lambda e: not e.get("is_group")):
            db["codes"].insert(_to_row(entry, positions[entry["id"]], builtin=True))


def list_codes(db: Database, *, include_groups: bool = True, active_only: bool = False) -> list[Code]:
    where = []
    if not include_groups:
        where.append("is_group = 0")
    if active_only:
        where.append("active = 1")
    sql = "SELECT * FROM codes" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY position, id"
    return [Code.from_row(dict(r)) for r in db.query(sql)]


def get_code(db: Database, code_id: str) -> Code:
    rows = list(db.query("SELECT * FROM codes WHERE id = ?", [code_id]))
    if not rows:
        raise NotFound(tr("Code inconnu : « {code} ».", "Unknown code: '{code}'.", code=code_id))
    return Code.from_row(rows[0])


def code_labels(db: Database) -> dict[str, str]:
    lang = language()
    return {c.id: c.label(lang) for c in list_codes(db)}


def find_code(db: Database, text: str) -> Code:
    """A code by id, shortcut or label (case-insensitive), for CLI filters and the picker."""
    wanted = text.strip().lower()
    for code in list_codes(db):
        if wanted in (code.id, code.shortcut.lower(), code.label_fr.lower(), code.label_en.lower()):
            return code
    raise NotFound(tr("Code inconnu : « {code} ».", "Unknown code: '{code}'.", code=text))


def update_code(db: Database, code_id: str, **fields: Any) -> Code:
    get_code(db, code_id)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidInput(tr("Champ non modifiable : {f}.", "Field cannot be edited: {f}.", f=", ".join(sorted(unknown))))
    values: dict[str, Any] = {}
    for key, value in fields.items():
        if key in ("poles", "attributes", "cues"):
            value = json.dumps(value, ensure_ascii=False)
        elif key == "active":
            value = int(bool(value))
        elif key == "label_fr" and not str(value).strip():
            raise InvalidInput(tr("Le libellé ne peut pas être vide.", "The label cannot be empty."))
        values[key] = value
    if values:
        db["codes"].update(code_id, values)
    return get_code(db, code_id)


def add_code(db: Database, code_id: str, label_fr: str, *, parent: str | None = None, **fields: Any) -> Code:
    if not CODE_ID.match(code_id):
        raise InvalidInput(
            tr(
                "Identifiant de code invalide : « {code} » (lettres minuscules sans accent, chiffres et _).",
                "Invalid code id: '{code}' (lowercase ASCII letters, digits and _).",
                code=code_id,
            )
        )
    if db.execute("SELECT 1 FROM codes WHERE id = ?", [code_id]).fetchone():
        raise InvalidInput(tr("Le code « {code} » existe déjà.", "Code '{code}' already exists.", code=code_id))
    if not label_fr.strip():
        raise InvalidInput(tr("Le libellé ne peut pas être vide.", "The label cannot be empty."))
    if parent:
        get_code(db, parent)
    position = (db.execute("SELECT MAX(position) FROM codes").fetchone()[0] or 0) + 10
    entry = {"id": code_id, "label_fr": label_fr.strip(), "parent": parent, **fields}
    db["codes"].insert(_to_row(entry, position, builtin=False))
    return get_code(db, code_id)


def export_codebook(db: Database, path: str | Path) -> int:
    codes = list_codes(db)
    entries = []
    for c in codes:
        d = c.to_dict()
        d.pop("builtin")
        entries.append(d)
    payload = {"version": 1, "codes": entries}
    Path(path).write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(entries)


def import_codebook(db: Database, path: str | Path) -> tuple[int, int]:
    """Merge a codebook file: new codes are added, existing ones updated. Returns (added, updated)."""
    p = Path(path)
    try:
        payload = json.loads(p.read_text(encoding="utf-8"))
        entries = payload["codes"] if isinstance(payload, dict) else payload
        if not isinstance(entries, list):
            raise ValueError
    except FileNotFoundError:
        raise InvalidInput(tr("Fichier introuvable : {path}.", "File not found: {path}.", path=p)) from None
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise InvalidInput(
            tr(
                "{path} n'est pas un fichier de codes grt (JSON attendu, avec une liste « codes »).",
                "{path} is not a grt codebook file (JSON with a 'codes' list expected).",
                path=p,
            )
        ) from None
    added = updated = 0
    existing = {c.id for c in list_codes(db)}
    with db.atomic():
        for i, entry in enumerate(sorted(entries, key=lambda e: not (isinstance(e, dict) and e.get("is_group")))):
            if not isinstance(entry, dict) or "id" not in entry or "label_fr" not in entry:
                raise InvalidInput(tr("Entrée n°{n} invalide : « id » et « label_fr » sont requis.", "Entry {n} is invalid: 'id' and 'label_fr' are required.", n=i + 1))
            if entry["id"] in existing:
                update_code(db, entry["id"], **{k: v for k, v in entry.items() if k in EDITABLE})
                updated += 1
            else:
                fields = {k: v for k, v in entry.items() if k in EDITABLE and k not in ("parent",)}
                fields.pop("label_fr", None)
                if entry.get("is_group"):
                    fields["is_group"] = True
                add_code(db, entry["id"], entry["label_fr"], parent=entry.get("parent"), **fields)
                existing.add(entry["id"])
                added += 1
    return added, updated
