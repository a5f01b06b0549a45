"""The three-pole synthesis: pre-filling, editing, validation by the group, names to mask."""

from __future__ import annotations

import pytest

from grt.annotations import add_annotation
from grt.contributions import add_contribution
from grt.errors import InvalidInput
from grt.synthesis import (
    create_synthesis,
    drop_item,
    find_synthesis,
    get_synthesis,
    latest_validated,
    list_items,
    list_replacements,
    long_date,
    mark_validated,
    move_item,
    open_synthesis,
    refresh_synthesis,
    remove_replacement,
    reorder_pole,
    restore_item,
    set_replacement,
    set_texts,
    shift_item,
    synthesis_for_session,
    validate_all,
    validate_item,
    validation_counts,
    withhold_item,
)

TEXT = "Il faut finir à l'heure. Moi je reste dix minutes de plus, sinon elle ne mange pas."


def tag(db, contribution, quote, code, **attributes):
    start = contribution.text.index(quote)
    return add_annotation(db, contribution.id, code, start, start + len(quote), attributes=attributes)


@pytest.fixture
def annotated(db, group_setup):
    s = group_setup["session"]
    c1 = add_contribution(db, s.id, group_setup["paul"].id, TEXT)
    c2 = add_contribution(db, s.id, group_setup["lina"].id, "Sur le papier c'est trente minutes, en vrai c'est quarante.")
    secret = add_contribution(db, s.id, group_setup["chef"].id, "Entre nous, la direction veut supprimer le poste.", off_record=True)
    anns = {
        "prescrit": tag(db, c1, "Il faut finir à l'heure.", "prescrit"),
        "reel": tag(db, c1, "je reste dix minutes de plus", "reel"),
        "temps": tag(db, c1, "je reste dix minutes de plus", "temps"),  # same passage, same pole: one item
        "valeur": tag(db, c1, "sinon elle ne mange pas", "valeur", dimension="sans_dimension"),
        "ecart": tag(db, c2, "Sur le papier c'est trente minutes, en vrai c'est quarante.", "ecart"),
        "secret": tag(db, secret, "la direction veut supprimer le poste", "prescrit"),
    }
    return {**group_setup, "c1": c1, "c2": c2, "secret": secret, "anns": anns}


def poles_of(items):
    return {(i.pole, i.quote) for i in items}


def test_prefilled_by_default_mapping(db, annotated):
    s = create_synthesis(db, annotated["group"].id, [annotated["session"].id])
    items = list_items(db, s.id)
    assert poles_of(items) == {
        ("savoirs", "Il faut finir à l'heure."),
        ("experience", "je reste dix minutes de plus"),
        ("ethique", "sinon elle ne mange pas"),
        # ecart links the two poles: it sits in both.
        ("savoirs", "Sur le papier c'est trente minutes, en vrai c'est quarante."),
        ("experience", "Sur le papier c'est trente minutes, en vrai c'est quarante."),
    }
    both = next(i for i in items if i.quote.startswith("je reste"))
    assert both.codes == ["reel", "temps"]
    assert all(i.validation == "pending" for i in items)
    assert s.title == "Synthèse de la séance du 20 novembre 2026"


def test_off_record_never_offered_even_later(db, annotated):
    from grt.contributions import get_contribution

    s = create_synthesis(db, annotated["group"].id, [annotated["session"].id])
    assert not any("supprimer le poste" in i.quote for i in list_items(db, s.id, include_dropped=True))
    # A contribution marked off the record after the synthesis was made disappears from it at once.
    db.execute("UPDATE contributions SET off_record = 1 WHERE id = ?", [annotated["c1"].id])
    assert get_contribution(db, annotated["c1"].id).off_record
    quotes = {i.quote for i in list_items(db, s.id, include_dropped=True)}
    assert quotes == {"Sur le papier c'est trente minutes, en vrai c'est quarante."}
    assert sum(validation_counts(db, s.id).values()) == 2


def test_move_drop_restore_and_order(db, annotated):
    s = create_synthesis(db, annotated["group"].id, [annotated["session"].id])
    items = list_items(db, s.id)
    rule = next(i for i in items if i.quote.startswith("Il faut"))
    moved = move_item(db, rule.id, "ethique", 0)
    assert moved.pole == "ethique"
    assert [i.quote for i in list_items(db, s.id, "ethique")][0] == "Il faut finir à l'heure."
    shift_item(db, rule.id, +1)
    assert [i.quote for i in list_items(db, s.id, "ethique")] == ["sinon elle ne mange pas", "Il faut finir à l'heure."]
    # The ecart passage already sits in experience: moving its savoirs copy there is refused.
    gap = next(i for i in items if i.pole == "savoirs" and i.quote.startswith("Sur le papier"))
    with pytest.raises(InvalidInput, match="déjà dans le pôle"):
        move_item(db, gap.id, "experience")
    with pytest.raises(InvalidInput, match="Pôle inconnu"):
        move_item(db, gap.id, "ailleurs")
    drop_item(db, gap.id)
    assert gap.id not in {i.id for i in list_items(db, s.id)}
    assert validation_counts(db, s.id)["dropped"] == 1
    restore_item(db, gap.id)
    assert gap.id in {i.id for i in list_items(db, s.id)}
    exp = list_items(db, s.id, "experience")
    reorder_pole(db, s.id, "experience", [exp[-1].id])
    assert list_items(db, s.id, "experience")[0].id == exp[-1].id
    with pytest.raises(InvalidInput):
        reorder_pole(db, s.id, "experience", [rule.id])


def test_texts_and_validation(db, annotated):
    s = create_synthesis(db, annotated["group"].id, [annotated["session"].id])
    s = set_texts(db, s.id, title="Le temps\x07 compté", introduction="Intro.\n\nSuite.", savoirs="Règles.", ethique="Valeurs.")
    assert (s.title, s.introduction, s.text_savoirs, s.text_ethique) == ("Le temps compté", "Intro.\n\nSuite.", "Règles.", "Valeurs.")
    items = list_items(db, s.id)
    withhold_item(db, items[0].id)
    validate_item(db, items[1].id)
    with pytest.raises(InvalidInput, match="en attente"):
        mark_validated(db, s.id)
    assert validate_all(db, s.id) == len(items) - 2
    counts = validation_counts(db, s.id)
    assert (counts["pending"], counts["withheld"], counts["validated"]) == (0, 1, len(items) - 1)
    s = mark_validated(db, s.id)
    assert s.validated and s.validated_at
    assert latest_validated(db, annotated["group"].id).id == s.id


def test_open_reuses_and_refresh_takes_new_annotations(db, annotated):
    sid = annotated["session"].id
    first = open_synthesis(db, [sid])
    assert open_synthesis(db, [sid]).id == first.id
    assert find_synthesis(db, [sid]).id == first.id
    assert synthesis_for_session(db, sid).id == first.id
    validate_all(db, first.id)
    mark_validated(db, first.id)
    tag(db, annotated["c1"], "elle ne mange pas", "usage_de_soi")
    # A validated synthesis is not changed behind the group's back by opening it...
    assert len(list_items(db, open_synthesis(db, [sid]).id)) == 5
    # ...but an explicit refresh takes the new passage in, and the group must validate again.
    assert refresh_synthesis(db, first.id) == 1
    assert not get_synthesis(db, first.id).validated
    assert refresh_synthesis(db, first.id) == 0


def test_sessions_of_one_group_only(db, annotated):
    from grt.groups import add_group
    from grt.sessions import add_session

    other = add_group(db, "Autre")
    s2 = add_session(db, other.id, "2026-12-01")
    with pytest.raises(InvalidInput, match="même groupe"):
        create_synthesis(db, annotated["group"].id, [annotated["session"].id, s2.id])
    with pytest.raises(InvalidInput):
        create_synthesis(db, annotated["group"].id, [])


def test_range_title_and_long_dates(db, annotated):
    from grt.sessions import add_session

    later = add_session(db, annotated["group"].id, "2027-01-01")
    s = create_synthesis(db, annotated["group"].id, [later.id, annotated["session"].id])
    assert s.session_ids == [annotated["session"].id, later.id]
    assert s.title == "Synthèse des séances du 20 novembre 2026 au 1er janvier 2027"
    assert long_date("2026-09-17") == "17 septembre 2026"


def test_replacements(db, annotated):
    s = create_synthesis(db, annotated["group"].id, [annotated["session"].id])
    set_replacement(db, s.id, "Mme Durand", "[la voisine]")
    set_replacement(db, s.id, "Rose", "Rose")  # not a name here: kept
    rows = {r["original"]: r for r in list_replacements(db, s.id)}
    assert rows["Mme Durand"]["replacement"] == "[la voisine]" and not rows["Mme Durand"]["kept"]
    assert rows["Rose"]["kept"]
    with pytest.raises(InvalidInput, match="vrai nom"):
        set_replacement(db, s.id, "Lina Moreau", "Lina Moreau")
    with pytest.raises(InvalidInput, match="vrai nom"):
        set_replacement(db, s.id, "Moreau", "Moreau")  # a surname alone identifies someone too
    with pytest.raises(InvalidInput, match="vrai nom"):
        set_replacement(db, s.id, "Mme Durand", "Mme Moreau")
    assert list_replacements(db, s.id)[0]["original"] == "Mme Durand"
    remove_replacement(db, s.id, "Rose")
    assert [r["original"] for r in list_replacements(db, s.id)] == ["Mme Durand"]


def test_demo_synthesis_is_validated_with_its_withheld_quote(db):
    from grt.demo import demo_data, load_demo

    data = demo_data()
    created = load_demo(db, data)
    s = latest_validated(db, created["group"].id)
    assert s is not None and s.validated_at == data["synthesis"]["validated_at"]
    assert s.session_ids == [created["sessions"][0].id]
    withheld = list_items(db, s.id, validation="withheld")
    assert {i.quote for i in withheld} == set(data["synthesis"]["withheld_quotes"])
    assert validation_counts(db, s.id)["pending"] == 0
