"""Proposals ("faire autrement"): a dated status history, management's answer, news asked at opening."""

from __future__ import annotations

import datetime as dt

import pytest

from grt import proposals as P
from grt.contributions import add_contribution
from grt.errors import InvalidInput, NotFound
from grt.groups import add_group, add_participant
from grt.sessions import add_session


@pytest.fixture
def three_sessions(db, group_setup):
    g = group_setup
    s2 = add_session(db, g["group"].id, "2026-12-18", "Le temps")
    s3 = add_session(db, g["group"].id, "2027-01-15", "Les transmissions")
    c = add_contribution(db, g["session"].id, g["lina"].id, "Il faudrait un champ motif dans l'application.")
    return {**g, "s1": g["session"], "s2": s2, "s3": s3, "c": c}


def test_add_records_origin_carrier_and_first_history_entry(db, three_sessions):
    t = three_sessions
    p = P.add_proposal(db, t["group"].id, "Un champ motif", "organisateurs", session_id=t["s1"].id,
                       carrier_id=t["lina"].id, contribution_ids=[t["c"].id])
    assert (p["status"], p["destination"], p["carrier"], p["session_date"]) == ("proposee", "organisateurs", "Lina", "2026-11-20")
    assert [(h["status"], h["date"]) for h in p["history"]] == [("proposee", "2026-11-20")]
    assert [c["speaker"] for c in p["origin_contributions"]] == ["Lina"]
    assert p["open"] is True and p["answer"] == "" and p["answer_date"] is None
    group_carried = P.add_proposal(db, t["group"].id, "Une page dans le cahier", "praticable")
    assert group_carried["carrier"] is None and group_carried["history"][0]["date"] == dt.date.today().isoformat()
    assert "Moreau" not in repr(p)


def test_bad_input_is_refused_in_french(db, three_sessions):
    t = three_sessions
    gid = t["group"].id
    with pytest.raises(InvalidInput, match="Destination inconnue"):
        P.add_proposal(db, gid, "x", "direction")
    with pytest.raises(InvalidInput, match="ne peut pas être vide"):
        P.add_proposal(db, gid, "  ", "praticable")
    other = add_group(db, "Autre")
    stranger = add_participant(db, other.id, "Zoé")
    with pytest.raises(InvalidInput, match="porteur"):
        P.add_proposal(db, gid, "x", "praticable", carrier_id=stranger.id)
    with pytest.raises(InvalidInput, match="autre groupe"):
        P.add_proposal(db, other.id, "x", "praticable", contribution_ids=[t["c"].id])
    p = P.add_proposal(db, gid, "x", "praticable")
    with pytest.raises(InvalidInput, match="Statut de proposition inconnu"):
        P.set_status(db, p["id"], "acceptee")
    with pytest.raises(InvalidInput, match="Date invalide"):
        P.set_status(db, p["id"], "discutee", date="17/09/2026")
    with pytest.raises(NotFound, match="Proposition introuvable"):
        P.get_proposal(db, 999)
    # The failed creations left nothing behind.
    assert len(P.list_proposals(db)) == 1


def test_moves_forward_and_back_are_all_recorded(db, three_sessions):
    t = three_sessions
    p = P.add_proposal(db, t["group"].id, "Un champ motif", "organisateurs", session_id=t["s1"].id)
    P.set_status(db, p["id"], "discutee", date="2026-12-18", session_id=t["s2"].id, note="Reprise")
    P.set_status(db, p["id"], "transmise", date="2026-12-20")
    p = P.set_status(db, p["id"], "discutee", date="2027-01-15", note="À reformuler")
    assert p["status"] == "discutee"
    assert [h["status"] for h in p["history"]] == ["proposee", "discutee", "transmise", "discutee"]
    assert p["history"][1]["session_date"] == "2026-12-18"
    assert p["last"]["note"] == "À reformuler"
    # A change recorded late, with its real past date, does not overwrite what came after it.
    p = P.set_status(db, p["id"], "transmise", date="2026-12-01")
    assert p["status"] == "discutee" and [h["date"] for h in p["history"]][1] == "2026-12-01"


def test_answer_records_reponse_recue_once(db, three_sessions):
    t = three_sessions
    p = P.add_proposal(db, t["group"].id, "Trajets réels", "organisateurs", session_id=t["s1"].id)
    P.set_status(db, p["id"], "transmise", date="2026-11-25")
    p = P.set_answer(db, p["id"], "Accepté pour les trajets de plus de 5 km.", date="2026-12-10")
    assert p["status"] == "reponse_recue" and p["answer_date"] == "2026-12-10"
    assert p["answer"] == "Accepté pour les trajets de plus de 5 km."
    P.set_status(db, p["id"], "mise_en_oeuvre", date="2027-01-15")
    p = P.set_answer(db, p["id"], "Accepté ; bilan dans six mois.", date="2027-01-20")
    assert p["status"] == "mise_en_oeuvre" and [h["status"] for h in p["history"]].count("reponse_recue") == 1
    assert p["open"] is False


def test_update_text_destination_carrier(db, three_sessions):
    t = three_sessions
    p = P.add_proposal(db, t["group"].id, "x", "organisateurs", carrier_id=t["paul"].id)
    p = P.update_proposal(db, p["id"], text="Nouvelle formulation", destination="praticable")
    assert (p["text"], p["destination"], p["carrier"]) == ("Nouvelle formulation", "praticable", "Paul")
    assert P.set_carrier(db, p["id"], None)["carrier"] is None
    assert P.set_carrier(db, p["id"], t["lina"].id)["carrier"] == "Lina"


def test_history_entries_can_be_corrected(db, three_sessions):
    t = three_sessions
    p = P.add_proposal(db, t["group"].id, "x", "organisateurs", session_id=t["s1"].id)
    p = P.set_status(db, p["id"], "abandonnee", date="2026-12-01")
    entry = p["history"][-1]["id"]
    p = P.update_history_entry(db, entry, status="transmise", note="envoyée par courriel")
    assert p["status"] == "transmise" and p["last"]["note"] == "envoyée par courriel"
    p = P.delete_history_entry(db, entry)
    assert p["status"] == "proposee"
    with pytest.raises(InvalidInput, match="au moins une étape"):
        P.delete_history_entry(db, p["history"][0]["id"])


def test_list_filters_and_open_only(db, three_sessions):
    t = three_sessions
    gid = t["group"].id
    a = P.add_proposal(db, gid, "A", "organisateurs", session_id=t["s1"].id)
    b = P.add_proposal(db, gid, "B", "praticable", session_id=t["s1"].id)
    c = P.add_proposal(db, gid, "C", "praticable", session_id=t["s2"].id)
    P.set_status(db, b["id"], "mise_en_oeuvre", date="2026-12-18")
    P.set_status(db, c["id"], "abandonnee", date="2026-12-19")
    assert [p["id"] for p in P.list_proposals(db, gid)] == [a["id"], b["id"], c["id"]]
    assert [p["id"] for p in P.list_proposals(db, gid, open_only=True)] == [a["id"]]
    assert [p["id"] for p in P.list_proposals(db, status="mise_en_oeuvre")] == [b["id"]]
    listed = P.list_proposals(db, gid)[1]
    assert listed["last"]["status"] == "mise_en_oeuvre" and listed["last"]["date"] == "2026-12-18"
    with pytest.raises(InvalidInput):
        P.list_proposals(db, status="finie")


def test_open_proposals_for_session_are_those_of_earlier_sessions(db, three_sessions):
    t = three_sessions
    gid = t["group"].id
    old = P.add_proposal(db, gid, "Ancienne", "organisateurs", session_id=t["s1"].id)
    done = P.add_proposal(db, gid, "Faite", "praticable", session_id=t["s1"].id)
    P.set_status(db, done["id"], "mise_en_oeuvre", date="2026-12-01")
    middle = P.add_proposal(db, gid, "De décembre", "praticable", session_id=t["s2"].id)
    P.add_proposal(db, gid, "Du jour", "praticable", session_id=t["s3"].id)
    loose = P.add_proposal(db, gid, "Sans session", "praticable")
    other = add_group(db, "Autre")
    other_session = add_session(db, other.id, "2026-01-01")
    P.add_proposal(db, other.id, "Ailleurs", "praticable", session_id=other_session.id)
    ids = [p["id"] for p in P.open_proposals_for_session(db, t["s3"].id)]
    assert set(ids) == {old["id"], middle["id"], loose["id"]}
    assert ids.index(old["id"]) < ids.index(middle["id"])
    assert [p["id"] for p in P.open_proposals_for_session(db, t["s1"].id)] == [loose["id"]]


def test_labels_are_french():
    assert P.status_label("reponse_recue") == "réponse reçue"
    assert P.status_label("mise_en_oeuvre") == "mise en œuvre"
    assert P.destination_label("organisateurs") == "à demander aux organisateurs du travail"
