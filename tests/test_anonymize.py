"""Finding and masking people's names before anything leaves the group."""

from __future__ import annotations

import pytest
import spacy

from grt.anonymize import (
    Masker,
    Person,
    default_replacement,
    find_names,
    leaked_real_names,
    name_parts,
    real_name_of,
    speaker_label,
)

PEOPLE = [
    Person(1, "Lina", "Aide à domicile, 22 ans d'ancienneté", "Lina Moreau"),
    Person(2, "Paul", "Auxiliaire de vie", "Hélène Petit-Durand"),
    Person(3, "Sandrine", "Responsable de secteur", ""),
    Person(4, "Zoé", "AMP (DEAES)", "Marie de la Tour"),
]


def ruler_nlp(*names):
    """A blank French pipeline whose entity ruler tags the given names as persons: the model's role, made exact."""
    nlp = spacy.blank("fr")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PER", "pattern": n} for n in names])
    return nlp


def test_name_parts_skip_particles():
    assert name_parts("Hélène Petit-Durand") == ["Hélène", "Petit-Durand", "Petit", "Durand"]
    assert name_parts("Marie de la Tour") == ["Marie", "Tour"]


def test_real_name_of_tolerates_accents_and_case():
    assert real_name_of("Mme HELENE petit", PEOPLE).id == 2
    assert real_name_of("Moreau", PEOPLE).id == 1
    assert real_name_of("Madame Lefèvre", PEOPLE) is None


def test_speaker_label_uses_role_when_pseudonym_repeats_a_real_name():
    # Lina's pseudonym is her real first name: the export names her by her job.
    assert speaker_label(PEOPLE[0], PEOPLE) == "Aide à domicile"
    assert speaker_label(PEOPLE[1], PEOPLE) == "Paul"
    assert speaker_label(None, PEOPLE) == "un participant"


def test_default_replacement_is_the_role_or_personne():
    assert default_replacement("Mme Moreau", PEOPLE) == "[aide à domicile]"
    assert default_replacement("Marie", PEOPLE) == "[AMP]"
    assert default_replacement("M. Perrin", PEOPLE) == "[personne]"


def test_masker_masks_real_names_in_any_spelling_but_not_words():
    mask = Masker(PEOPLE, {"M. Perrin": "[le bénéficiaire]"})
    text = "J'ai vu LINA MOREAU et Helene Petit Durand chez M. Perrin ; Moreau était là. Un petit souci, une tour."
    out = mask(text)
    assert "Moreau" not in out and "MOREAU" not in out and "Helene" not in out and "Perrin" not in out
    assert "[aide à domicile]" in out and "[auxiliaire de vie]" in out and "[le bénéficiaire]" in out
    # Lowercase words that happen to be parts of a real name stay words.
    assert "Un petit souci, une tour." in out
    assert leaked_real_names(out, PEOPLE) == []
    assert leaked_real_names(text, PEOPLE) == ["Lina Moreau", "Hélène Petit-Durand"]


def test_masker_never_keeps_a_real_name_nor_a_part_of_one():
    # Over-masking a capitalised word is safer than letting a surname leave the group.
    mask = Masker(PEOPLE, {"Petit": "Petit", "Lina Moreau": "Lina Moreau", "Moreau": "Moreau"})
    out = mask("Petit à petit, Lina Moreau a compris. Moreau aussi.")
    assert "Moreau" not in out and "Lina" not in out
    assert "à petit" in out


def test_find_names_from_model_real_names_and_civilities():
    nlp = ruler_nlp("Rachid", "Paul")
    texts = [
        "Rachid m'a aidée, Paul aussi.",  # Paul is a pseudonym: meant to appear
        "Chez Mme Lefèvre, Moreau avait tout rangé.",
        ("La fille de Rachid a appelé. Bernard non.", 0, 26),
    ]
    assert set(find_names(texts, PEOPLE, nlp=nlp)) == {"Mme Lefèvre", "Moreau", "Rachid"}


def test_find_names_without_model_still_finds_real_names():
    found = find_names(["Merci à Hélène Petit-Durand. Hélène, c'est la voisine de Mme Leroy."], PEOPLE, use_model=False)
    assert sorted(found) == ["Hélène", "Hélène Petit-Durand", "Mme Leroy"]


@pytest.mark.model
def test_real_model_finds_people_not_imperatives():
    texts = [
        "Racontez une intervention où le temps prévu ne suffisait pas.",
        "Calculer le temps de trajet sur la distance réelle.",
        "Entre M. Perrin et le monsieur suivant, c'est dix-huit kilomètres.",
        "Hier, j'ai appelé Jacqueline Fournier pour lui dire.",
    ]
    names = find_names(texts, PEOPLE)
    assert "M. Perrin" in names
    assert any("Fournier" in n for n in names)
    assert not {"Racontez", "Calculer"} & set(names)
