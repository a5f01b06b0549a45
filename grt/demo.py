"""The demo GRT: a fictional group written for the project (grt/data/demo.json), loaded through the
same domain functions a facilitator uses, so that the demo is also a test of them."""

from __future__ import annotations

import datetime as dt
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import GrtError
from .i18n import tr


def demo_data() -> dict[str, Any]:
    return json.loads(resources.files("grt").joinpath("data/demo.json").read_text(encoding="utf-8"))


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            Path(str(path) + suffix).unlink(missing_ok=True)
        except NotADirectoryError:
            pass  # the parent is not a folder: open_db says so in words


def create_demo(path: Path, *, force: bool = False) -> Path:
    """Write the demo GRT into a new database at path (built aside, then moved into place)."""
    from .db import open_db

    path = Path(path).expanduser()
    if path.exists() and not force:
        raise GrtError(
            tr(
                "Une base existe déjà à {p} ; ajoutez --force pour la remplacer par la démonstration.",
                "A database already exists at {p}; add --force to replace it with the demo.",
                p=path,
            )
        )
    part = path.with_name(path.name + ".demo-part")
    _remove_db(part)
    db = open_db(part)
    try:
        load_demo(db, demo_data())
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    _remove_db(path)
    os.replace(part, path)
    _remove_db(part)
    return path


def load_demo(db, data: dict[str, Any]) -> dict[str, Any]:
    """Load the demo content; returns the ids it created, by kind."""
    from .annotations import add_annotation
    from .contributions import add_contribution
    from .groups import add_group, add_participant
    from .sessions import add_session, set_attendance, update_session

    g = data["group"]
    group = add_group(db, g["name"], g.get("sector", ""))
    people = {}
    for p in data["participants"]:
        people[p["pseudonym"]] = add_participant(
            db, group.id, p["pseudonym"], p.get("role", ""), authority=p.get("authority", False), real_name=p.get("real_name", "")
        )
    sessions, annotations_by_quote, contributions_by_quote = [], {}, []
    for s in data["sessions"]:
        session = add_session(db, group.id, s["date"], s.get("question", ""))
        for pseudo in s.get("absent", []):
            set_attendance(db, session.id, people[pseudo].id, False)
        for i, c in enumerate(s["contributions"]):
            contribution = add_contribution(db, session.id, people[c["speaker"]].id, c["text"], off_record=c.get("off_record", False))
            # Spoken at a plausible time of the meeting (from 14:05, every few minutes), not at load time.
            said_at = (dt.datetime.fromisoformat(session.date + "T14:05:00") + dt.timedelta(minutes=4 * i)).isoformat()
            db["contributions"].update(contribution.id, {"created_at": said_at, "updated_at": said_at})
            contributions_by_quote.append(contribution)
            for a in c.get("annotations", []):
                start = contribution.text.index(a["quote"])
                ann = add_annotation(
                    db,
                    contribution.id,
                    a["code"],
                    start,
                    start + len(a["quote"]),
                    memo=a.get("memo", ""),
                    attributes=a.get("attributes") or {},
                )
                annotations_by_quote[a["quote"]] = ann
        if s.get("status", "close") != "preparee":
            update_session(db, session.id, status=s.get("status", "close"))
        sessions.append(session)
    created = {"group": group, "participants": people, "sessions": sessions, "annotations": annotations_by_quote, "contributions": contributions_by_quote}
    for extra in _extras():
        extra(db, data, created)
    return created


def _extras():
    """Loaders for the parts of the demo owned by other modules (debates, proposals, synthesis)."""
    from .debates import load_demo_debates
    from .proposals import load_demo_proposals
    from .synthesis import load_demo_synthesis

    # The synthesis comes last: it gathers the annotations, debates and proposals loaded before it.
    return [load_demo_debates, load_demo_proposals, load_demo_synthesis]
