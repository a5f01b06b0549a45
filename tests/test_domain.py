"""Groups, participants, sessions, contributions, annotations: rules and clear errors."""

from __future__ import annotations

import pytest

from grt.annotations import add_annotation, list_annotations, update_annotation
from grt.codebook import update_code
from grt.contributions import (
    add_contribution, commit_draft, get_draft, list_contributions, move_contribution, save_draft,
    set_off_record, update_text,
)
from grt.errors import InvalidInput, NotFound
from grt.groups import add_group, add_participant, find_group, find_participant, list_participants
from grt.i18n import set_language
from grt.sessions import add_session, authority_present, get_session, list_sessions, set_attendance


def test_group_names_are_required_and_unique(db):
    add_group(db, "Foyer Les Tilleuls")
    with pytest.raises(InvalidInput, match="existe déjà"):
        add_group(db, "foyer les tilleuls")
    with pytest.raises(InvalidInput, match="vide"):
        add_group(db, "   ")


def test_errors_speak_english_on_request(db):
    set_language("en")
    with pytest.raises(InvalidInput, match="cannot be empty"):
        add_group(db, "")


def test_find_group_by_name_or_id(db):
    g = add_group(db, "ESAT du Port")
    assert find_group(db, "esat du port").id == g.id
    assert find_group(db, str(g.id)).id == g.id
    with pytest.raises(NotFound):
        find_group(db, "nowhere")


def test_participants_and_authority(db, group_setup):
    gid = group_setup["group"].id
    assert [p.pseudonym for p in list_participants(db, gid)] == ["Lina", "Paul", "Sandrine"]
    with pytest.raises(InvalidInput, match="déjà"):
        add_participant(db, gid, "lina", "aide")
    assert find_participant(db, gid, "PAUL").role == "auxiliaire de vie"
    session = group_setup["session"]
    assert [p.pseudonym for p in authority_present(db, session.id)] == ["Sandrine"]
    set_attendance(db, session.id, group_setup["chef"].id, False)
    assert authority_present(db, session.id) == []
    assert list_sessions(db, gid)[0]["authority_present"] is False


def test_public_dict_hides_real_name(group_setup):
    assert "real_name" not in group_setup["lina"].public_dict()


def test_session_dates_are_checked(db, group_setup):
    with pytest.raises(InvalidInput, match="AAAA-MM-JJ"):
        add_session(db, group_setup["group"].id, "20/11/2026", "?")
    with pytest.raises(NotFound):
        get_session(db, 999)
    with pytest.raises(InvalidInput):
        get_session(db, "abc")
    today = add_session(db, group_setup["group"].id, None, "Sans date")
    assert len(today.date) == 10


def test_contributions_are_ordered_cleaned_and_movable(db, group_setup):
    s, lina, paul = group_setup["session"], group_setup["lina"], group_setup["paul"]
    a = add_contribution(db, s.id, lina.id, "Premier récit.\r\nSuite\x00 du récit.")
    b = add_contribution(db, s.id, paul.id, "Deuxième récit.")
    assert a.text == "Premier récit.\nSuite du récit."
    move_contribution(db, b.id, -1)
    assert [c.id for c in list_contributions(db, s.id)] == [b.id, a.id]
    set_off_record(db, a.id)
    assert [c.id for c in list_contributions(db, s.id, include_off_record=False)] == [b.id]
    with pytest.raises(InvalidInput, match="vide"):
        add_contribution(db, s.id, lina.id, "  \n ")


def test_speaker_must_belong_to_the_group(db, group_setup):
    other = add_group(db, "Autre groupe")
    stranger = add_participant(db, other.id, "Zoé", "infirmière")
    with pytest.raises(InvalidInput, match="groupe"):
        add_contribution(db, group_setup["session"].id, stranger.id, "Bonjour")


def test_draft_autosave_and_commit(db, group_setup):
    s, lina = group_setup["session"], group_setup["lina"]
    save_draft(db, s.id, lina.id, "En cours de fra")
    save_draft(db, s.id, lina.id, "En cours de frappe")
    assert get_draft(db, s.id).text == "En cours de frappe"
    assert list_contributions(db, s.id) == []
    committed = commit_draft(db, s.id)
    assert committed.text == "En cours de frappe" and not committed.draft
    assert get_draft(db, s.id) is None
    save_draft(db, s.id, lina.id, "   ")
    assert commit_draft(db, s.id) is None and get_draft(db, s.id) is None


def test_annotations_check_spans_and_follow_edits(db, group_setup):
    s, lina = group_setup["session"], group_setup["lina"]
    text = "Le protocole dit vingt minutes. En vrai je reste quarante minutes avec elle."
    c = add_contribution(db, s.id, lina.id, text)
    a = add_annotation(db, c.id, "prescrit", 0, 31)
    assert a.quote == "Le protocole dit vingt minutes."
    with pytest.raises(InvalidInput, match="hors du texte"):
        add_annotation(db, c.id, "reel", 10, 500)
    with pytest.raises(InvalidInput, match="famille"):
        add_annotation(db, c.id, "normes", 0, 5)
    with pytest.raises(NotFound):
        add_annotation(db, c.id, "inconnu", 0, 5)
    with pytest.raises(InvalidInput, match="Attribut"):
        add_annotation(db, c.id, "valeur", 0, 5, attributes={"dimension": "énorme"})
    b = add_annotation(db, c.id, "reel", text.index("En vrai"), len(text))
    _, lost = update_text(db, c.id, "Ce matin. " + text)
    moved = {x.id: x for x in list_annotations(db, contribution_id=c.id)}
    assert lost == 0 and moved[a.id].start == 10 and moved[a.id].quote == a.quote
    _, lost = update_text(db, c.id, "Le protocole dit vingt minutes.")
    assert lost == 1 and [x.id for x in list_annotations(db, contribution_id=c.id)] == [a.id]
    assert b.id not in moved or True


def test_editing_a_label_keeps_annotations(db, group_setup):
    c = add_contribution(db, group_setup["session"].id, group_setup["lina"].id, "Il faut remplir la fiche.")
    a = add_annotation(db, c.id, "prescrit", 0, 25)
    update_code(db, "prescrit", label_fr="Prescrit (renommé)")
    assert list_annotations(db, contribution_id=c.id)[0].code == "prescrit"
    changed = update_annotation(db, a.id, code="valeur")
    assert changed.code == "valeur" and changed.attributes == {}


def test_names_match_without_case_or_accents(db):
    g = add_group(db, "Équipe Nord")
    assert find_group(db, "equipe nord").id == g.id
    with pytest.raises(InvalidInput, match="existe déjà"):
        add_group(db, "EQUIPE NORD")
    p = add_participant(db, g.id, "Hélène", "infirmière")
    assert find_participant(db, g.id, "helene").id == p.id
    with pytest.raises(InvalidInput, match="déjà"):
        add_participant(db, g.id, "HELENE", "aide")
