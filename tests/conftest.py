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


@pytest.fixture
def meeting_setup(db, group_setup):
    """group_setup plus an earlier session with tagged, off-record and proposal content, at fixed times
    (for the TUI tests and their snapshots)."""
    from grt.annotations import add_annotation
    from grt.contributions import add_contribution
    from grt.proposals import add_proposal
    from grt.sessions import add_session, update_session

    g, lina, paul = group_setup["group"], group_setup["lina"], group_setup["paul"]
    earlier = add_session(db, g.id, "2026-10-02", "Racontez une visite où le temps prévu n'a pas suffi.")
    texts = [
        (lina, "Le planning dit trente minutes chez Mme R., mais il faut l'aider à se lever et elle veut parler. Je reste quarante-cinq minutes et je rattrape sur ma pause.", False),
        (paul, "Moi je préviens le bureau quand je dépasse, mais personne ne rappelle.", False),
        (lina, "Ça, je préfère que ça ne sorte pas d'ici : on s'échange des clés entre nous.", True),
    ]
    made = []
    for i, (who, text, off) in enumerate(texts):
        c = add_contribution(db, earlier.id, who.id, text, off_record=off)
        stamp = f"2026-10-02T14:{5 + 4 * i:02d}:00"
        db.execute("UPDATE contributions SET created_at = ?, updated_at = ? WHERE id = ?", [stamp, stamp, c.id])
        made.append(c)
    first = made[0].text
    add_annotation(db, made[0].id, "prescrit", first.index("Le planning"), first.index(" chez"))
    add_annotation(db, made[0].id, "reel", first.index("je rattrape"), first.index(" sur ma"))
    add_annotation(db, made[1].id, "relation", 0, len("Moi je préviens le bureau"))
    add_proposal(db, g.id, "Prévoir dix minutes de transmission entre deux passages", "organisateurs", session_id=earlier.id, carrier_id=lina.id)
    db.execute(
        "UPDATE sessions SET status = 'close', started_at = '2026-10-02T14:00:00', ended_at = '2026-10-02T16:10:00' WHERE id = ?",
        [earlier.id],
    )
    update_session(db, group_setup["session"].id, status="preparee")
    return {**group_setup, "earlier": earlier, "contributions": made}


@pytest.fixture
def review_setup(db):
    """A small year of one group, for the debates, proposals and review screens: three sessions of tagged
    contributions (one off the record), a norm debate, proposals at several statuses, and another group
    whose words must never show. Everything is dated, so snapshots do not move."""
    from grt.annotations import add_annotation
    from grt.contributions import add_contribution
    from grt.debates import create_debate
    from grt.groups import add_group, add_participant
    from grt.proposals import add_proposal, set_answer, set_status
    from grt.sessions import add_session, update_session

    group = add_group(db, "Équipe SAAD Est", "aide à domicile")
    lina = add_participant(db, group.id, "Lina", "aide à domicile", real_name="Lina Moreau")
    paul = add_participant(db, group.id, "Paul", "auxiliaire de vie")
    chef = add_participant(db, group.id, "Sandrine", "responsable de secteur", authority=True)
    s1 = add_session(db, group.id, "2026-09-17", "Racontez une visite où le temps prévu n'a pas suffi.")
    s2 = add_session(db, group.id, "2026-10-15", "Quand la personne refuse ce qui est prévu.")
    s3 = add_session(db, group.id, "2026-11-20", "Ce qui passe d'une intervenante à l'autre.")
    made, tags = {}, {}
    script = [
        ("c1", s1, lina, "Le planning dit trente minutes chez Mme R., mais elle veut parler. Je reste quarante-cinq minutes et je rattrape sur ma pause.", False,
         [("prescrit", "Le planning dit trente minutes"), ("reel", "je rattrape sur ma pause"), ("temps", "quarante-cinq minutes")]),
        ("c2", s1, paul, "Je préviens le bureau quand je dépasse, mais personne ne rappelle. Le planning n'est jamais modifié.", False,
         [("relation", "Je préviens le bureau"), ("ecart", "Le planning n'est jamais modifié")]),
        ("c3", s1, chef, "Le logiciel compte le trajet au forfait : dix minutes, quelle que soit la distance.", False,
         [("prescrit", "Le logiciel compte le trajet au forfait"), ("temps", "dix minutes")]),
        ("c4", s2, lina, "Elle refuse la toilette ; je fais seulement le visage et les mains, pour sa dignité.", False,
         [("reel", "je fais seulement le visage et les mains"), ("valeur", "sa dignité")]),
        ("c5", s2, paul, "Sur le planning c'est noté toilette complète : sur le papier c'est fait, mais en vrai non.", False,
         [("prescrit", "Sur le planning c'est noté toilette complète"), ("ecart", "sur le papier c'est fait, mais en vrai non")]),
        ("c6", s2, lina, "Ça ne sort pas d'ici : l'équipe du soir ne lit jamais le cahier, le planning non plus.", True,
         [("relation", "l'équipe du soir ne lit jamais le cahier")]),
        ("c7", s3, chef, "Une heure de réunion par mois, c'est vingt-deux heures d'intervention en moins.", False,
         [("valeur", "vingt-deux heures d'intervention en moins")]),
        ("c8", s3, paul, "On pourrait se laisser un mot dans le cahier de liaison, et l'Équipe du matin le lirait.", False,
         [("faire_autrement", "se laisser un mot dans le cahier de liaison")]),
    ]
    for n, (key, session, who, text, off, codes) in enumerate(script):
        c = add_contribution(db, session.id, who.id, text, off_record=off)
        stamp = f"{session.date}T14:{5 + 3 * n:02d}:00"
        db.execute("UPDATE contributions SET created_at = ?, updated_at = ? WHERE id = ?", [stamp, stamp, c.id])
        made[key] = c
        for code, quote in codes:
            start = text.index(quote)
            attributes = {"dimension": "sans_dimension" if key == "c4" else "mesurable"} if code == "valeur" else {}
            tags[(key, code)] = add_annotation(db, c.id, code, start, start + len(quote), attributes=attributes)
    for s in (s1, s2):
        update_session(db, s.id, status="close")
    debate = create_debate(
        db, group.id, "Toilette complète ou dignité",
        annotation_ids=[tags[("c5", "prescrit")].id, tags[("c4", "reel")].id, tags[("c4", "valeur")].id],
        choice="", status="approfondi",
    )
    db.execute("UPDATE debates SET created_at = '2026-10-16T10:00:00', updated_at = '2026-10-16T10:00:00'")
    p1 = add_proposal(db, group.id, "Calculer le temps de trajet sur la distance réelle", "organisateurs", session_id=s1.id, carrier_id=chef.id, contribution_ids=[made["c3"].id])
    set_status(db, p1["id"], "discutee", date="2026-10-15", note="Le groupe confirme la demande.", session_id=s2.id)
    set_status(db, p1["id"], "transmise", date="2026-10-20", note="Envoyée avec la synthèse validée.")
    set_answer(db, p1["id"], "Accepté pour les trajets de plus de 5 km, à partir de janvier.", date="2026-11-06")
    p2 = add_proposal(db, group.id, "Tenir un cahier de liaison commun au domicile", "praticable", session_id=s2.id, carrier_id=lina.id)
    set_status(db, p2["id"], "mise_en_oeuvre", date="2026-11-20", note="Essayé chez trois personnes.", session_id=s3.id)
    p3 = add_proposal(db, group.id, "Rétablir une réunion de secteur payée, une heure par mois", "organisateurs", session_id=s2.id)
    other = add_group(db, "Autre groupe")
    elsewhere = add_session(db, other.id, "2026-10-01", "Ailleurs")
    add_contribution(db, elsewhere.id, None, "Le planning aussi chez nous, mais c'est un autre groupe.")
    return {
        "group": group, "lina": lina, "paul": paul, "chef": chef, "s1": s1, "s2": s2, "s3": s3,
        "contributions": made, "tags": tags, "debate": debate, "proposals": [p1, p2, p3], "other": other,
    }


@pytest.fixture(scope="session")
def blank_engine():
    """The suggestion engine on spacy.blank("fr"): fast, and the real French model is never loaded."""
    import spacy

    from grt.nlp.engine import SuggestionEngine

    return SuggestionEngine(nlp=spacy.blank("fr")).load()


@pytest.fixture
def use_blank_engine(blank_engine, monkeypatch):
    """get_engine() (used by the service, the CLI and the screens) gives the blank engine."""
    from grt.nlp import engine

    monkeypatch.setattr(engine, "_engine", blank_engine)
    return blank_engine
