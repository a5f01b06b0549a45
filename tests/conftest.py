"""Shared fixtures: a fresh database and a small populated group."""

from __future__ import annotations

import pytest

from grt.db import open_db
from grt.i18n import set_language


@pytest.fixture(autouse=True)
def french(monkeypatch, tmp_path):
    """Every test starts in French, with its own data dir (never the user's)."""
    monkeypatch.setenv("GRT_HOME", str(tmp_path / "grt-home"))
    set_language("fr")
    yield
    set_language("fr")


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "test.db")
    yield database
    database.close()


@pytest.fixture
def group_setup(db):
    """A group with three participants (one with authority) and one session."""
    from grt.groups import add_group, add_participant
    from grt.sessions import add_session

    group = add_group(db, "Équipe SAAD Est", "aide à domicile")
    lina = add_participant(db, group.id, "Lina", "aide à domicile", real_name="Lina Moreau")
    paul = add_participant(db, group.id, "Paul", "auxiliaire de vie")
    chef = add_participant(db, group.id, "Sandrine", "responsable de secteur", authority=True)
    session = add_session(db, group.id, "2026-11-20", "Qu'est-ce qui vous a empêchés de bien faire votre travail ?")
    return {"group": group, "lina": lina, "paul": paul, "chef": chef, "session": session}
