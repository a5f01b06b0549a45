"""Norm debates: made from annotations, edited, listed; pseudonyms only."""

from __future__ import annotations

import pytest

from grt import debates
from grt.annotations import add_annotation, delete_annotation
from grt.contributions import add_contribution
from grt.errors import InvalidInput, NotFound
from grt.groups import add_group, add_participant
from grt.sessions import add_session


@pytest.fixture
def tagged(db, group_setup):
    """Two sessions; a prescription, a renormalisation, a value and a gap, by two speakers."""
    g = group_setup
    s1, lina, paul = g["session"], g["lina"], g["paul"]
    s2 = add_session(db, g["group"].id, "2026-12-18", "Le temps")
    c1 = add_contribution(db, s1.id, lina.id, "Il faut faire la toilette en trente minutes, c'est écrit sur la fiche.")
    c2 = add_contribution(db, s2.id, paul.id, "Moi je reste dix minutes de plus, et je ne le pointe pas, pour sa dignité.")

    def tag(c, code, quote, **kw):
        start = c.text.index(quote)
        return add_annotation(db, c.id, code, start, start + len(quote), **kw)

    prescrit = tag(c1, "prescrit", "Il faut faire la toilette en trente minutes")
    reel = tag(c2, "reel", "Moi je reste dix minutes de plus")
    valeur = tag(c2, "valeur", "sa dignité", attributes={"dimension": "sans_dimension"})
    ecart = tag(c2, "ecart", "je ne le pointe pas")
    return {**g, "s2": s2, "c1": c1, "c2": c2, "prescrit": prescrit, "reel": reel, "valeur": valeur, "ecart": ecart}


def test_create_from_annotations_sorts_items_and_records_sessions_and_speakers(db, tagged):
    t = tagged
    ids = [t["ecart"].id, t["valeur"].id, t["reel"].id, t["prescrit"].id]
    d = debates.create_debate(db, t["group"].id, "Toilette ou dignité", annotation_ids=ids)
    assert d["status"] == "ouvert" and d["choice"] == ""
    assert [i["quote"] for i in d["norms"]] == ["Il faut faire la toilette en trente minutes"]
    assert [i["quote"] for i in d["renormalisations"]] == ["Moi je reste dix minutes de plus"]
    assert [(i["quote"], i["dimension"]) for i in d["values"]] == [("sa dignité", "sans_dimension")]
    assert [i["code"] for i in d["others"]] == ["ecart"]
    assert [s["date"] for s in d["sessions"]] == ["2026-11-20", "2026-12-18"]
    assert [p["pseudonym"] for p in d["participants"]] == ["Lina", "Paul"]
    assert d["norms"][0]["speaker"] == "Lina" and d["norms"][0]["session_date"] == "2026-11-20"


def test_real_names_never_appear(db, tagged):
    t = tagged
    d = debates.create_debate(db, t["group"].id, "x", annotation_ids=[t["prescrit"].id])
    listed = debates.list_debates(db, t["group"].id)
    assert "Moreau" not in repr(d) and "Moreau" not in repr(listed)
    assert "real_name" not in repr(d)


def test_default_title_comes_from_the_norm(db, tagged):
    t = tagged
    d = debates.create_debate(db, t["group"].id, "", annotation_ids=[t["reel"].id, t["prescrit"].id])
    assert d["title"] == "Débat : « Il faut faire la toilette en trente minutes »"
    assert debates.create_debate(db, t["group"].id)["title"] == "Nouveau débat de normes"


def test_free_text_items_values_and_edits(db, tagged):
    t = tagged
    d = debates.create_debate(db, t["group"].id, "Le pointage")
    debates.add_norm(db, d["id"], "Pointer en arrivant et en partant")
    debates.add_renormalisation(db, d["id"], "Pointer dans la voiture")
    vid = debates.add_value(db, d["id"], "Le taux de réalisation", dimension="mesurable")
    debates.add_value(db, d["id"], annotation_id=t["valeur"].id)
    d = debates.get_debate(db, d["id"])
    assert [i["label"] for i in d["norms"]] == ["Pointer en arrivant et en partant"]
    assert [(i["label"], i["dimension"]) for i in d["values"]] == [("Le taux de réalisation", "mesurable"), ("sa dignité", "sans_dimension")]
    debates.update_item(db, vid, dimension="sans_dimension", text="Le taux")
    assert debates.get_debate(db, d["id"])["values"][0]["dimension"] == "sans_dimension"
    with pytest.raises(InvalidInput, match="Dimension inconnue"):
        debates.add_value(db, d["id"], "x", dimension="énorme")
    with pytest.raises(InvalidInput, match="ne peut pas être vide"):
        debates.add_norm(db, d["id"], "   ")


def test_status_choice_title_and_notes(db, tagged):
    t = tagged
    d = debates.create_debate(db, t["group"].id, "Titre")
    debates.set_status(db, d["id"], "approfondi")
    debates.set_choice(db, d["id"], "On finit ce qui est commencé.")
    d = debates.update_debate(db, d["id"], title="Nouveau titre", notes="à reprendre")
    assert (d["status"], d["choice"], d["title"], d["notes"]) == ("approfondi", "On finit ce qui est commencé.", "Nouveau titre", "à reprendre")
    with pytest.raises(InvalidInput, match="Statut de débat inconnu"):
        debates.set_status(db, d["id"], "ferme")
    with pytest.raises(InvalidInput, match="ne peut pas être vide"):
        debates.update_debate(db, d["id"], title=" ")
    with pytest.raises(NotFound, match="Débat introuvable"):
        debates.get_debate(db, 999)


def test_link_more_is_idempotent_and_unlink_prunes_what_it_brought(db, tagged):
    t = tagged
    d = debates.create_debate(db, t["group"].id, "x", annotation_ids=[t["prescrit"].id])
    first = debates.link_annotation(db, d["id"], t["reel"].id)
    assert debates.link_annotation(db, d["id"], t["reel"].id) == first
    d = debates.get_debate(db, d["id"])
    assert len(d["items"]) == 2 and len(d["sessions"]) == 2
    debates.unlink(db, d["id"], first)
    d = debates.get_debate(db, d["id"])
    assert [s["date"] for s in d["sessions"]] == ["2026-11-20"]
    assert [p["pseudonym"] for p in d["participants"]] == ["Lina"]
    # A speaker added by hand stays when an item goes.
    debates.add_speaker(db, d["id"], t["chef"].id)
    debates.unlink_annotation(db, d["id"], t["prescrit"].id)
    d = debates.get_debate(db, d["id"])
    assert d["items"] == [] and [p["pseudonym"] for p in d["participants"]] == ["Sandrine"]
    assert d["participants"][0]["authority"] is True


def test_annotations_of_another_group_are_refused(db, tagged):
    other = add_group(db, "Autre groupe")
    d = debates.create_debate(db, other.id, "x")
    with pytest.raises(InvalidInput, match="autre groupe"):
        debates.link_annotation(db, d["id"], tagged["prescrit"].id)
    with pytest.raises(InvalidInput, match="groupe du débat"):
        debates.add_speaker(db, d["id"], tagged["lina"].id)
    with pytest.raises(NotFound):
        debates.create_debate(db, other.id, "x", annotation_ids=[12345])
    # Nothing half-made: the failed creation left no debate behind.
    assert [x["title"] for x in debates.list_debates(db, other.id)] == ["x"]


def test_deleting_an_annotation_removes_its_item(db, tagged):
    t = tagged
    d = debates.create_debate(db, t["group"].id, "x", annotation_ids=[t["prescrit"].id, t["reel"].id])
    delete_annotation(db, t["reel"].id)
    assert [i["code"] for i in debates.get_debate(db, d["id"])["items"]] == ["prescrit"]


def test_list_debates_with_counts_dates_speakers_and_filters(db, tagged):
    t = tagged
    a = debates.create_debate(db, t["group"].id, "A", annotation_ids=[t["prescrit"].id, t["reel"].id, t["valeur"].id])
    b = debates.create_debate(db, t["group"].id, "B", status="clos")
    other = add_group(db, "Autre")
    add_participant(db, other.id, "Zoé")
    debates.create_debate(db, other.id, "C")
    rows = debates.list_debates(db, t["group"].id)
    assert {r["id"] for r in rows} == {a["id"], b["id"]}
    ra = next(r for r in rows if r["id"] == a["id"])
    assert (ra["norms"], ra["renormalisations"], ra["values"], ra["others"]) == (1, 1, 1, 0)
    assert ra["session_dates"] == ["2026-11-20", "2026-12-18"] and ra["speakers"] == ["Lina", "Paul"]
    assert ra["first_date"] == "2026-11-20" and ra["group_name"] == "Équipe SAAD Est"
    assert [r["id"] for r in debates.list_debates(db, status="clos")] == [b["id"]]
    assert len(debates.list_debates(db)) == 3
    assert debates.debates_for_annotation(db, t["reel"].id) == [{"id": a["id"], "title": "A", "status": "ouvert"}]


def test_off_record_quotes_are_marked(db, tagged):
    from grt.contributions import set_off_record

    t = tagged
    set_off_record(db, t["c2"].id)
    d = debates.create_debate(db, t["group"].id, "x", annotation_ids=[t["prescrit"].id, t["reel"].id])
    assert [i["off_record"] for i in d["items"]] == [False, True]


def test_demo_has_debates_and_proposals_at_several_statuses(db):
    from grt.demo import demo_data, load_demo
    from grt.proposals import list_proposals, open_proposals_for_session

    created = load_demo(db, demo_data())
    listed = debates.list_debates(db, created["group"].id)
    assert len({d["status"] for d in listed}) >= 2
    for d in listed:
        full = debates.get_debate(db, d["id"])
        assert full["norms"] and full["values"] and full["sessions"] and full["participants"]
        assert all(i["dimension"] in ("mesurable", "sans_dimension") for i in full["values"])
        assert any(i["annotation_id"] for i in full["items"])  # quotes really linked, not copied
    proposals = list_proposals(db, created["group"].id)
    assert len({p["status"] for p in proposals}) >= 3
    assert any(p["answer"] for p in proposals) and any(p["open"] for p in proposals)
    # At the last session the facilitator is asked for news of the earlier open proposals.
    last = created["sessions"][-1]
    pending = open_proposals_for_session(db, last.id)
    assert pending and all(p["session_date"] < last.date and p["open"] for p in pending)
