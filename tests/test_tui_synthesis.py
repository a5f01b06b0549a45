"""The synthesis screen driven from the keyboard as a facilitator would (the database checked after each
step), its workers (name scan, export) awaited, never slept on; and its snapshots at 80x24 and 160x48."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading

import pytest
import spacy

import grt.anonymize
from grt.annotations import add_annotation
from grt.app import SCREENS, GrtApp
from grt.contributions import add_contribution
from grt.export import list_exports
from grt.screens.forms import ConfirmDialog
from grt.screens.synthesis import SynthesisScreen
from grt.screens.synthesis_dialogs import ExportDialog, ReadingDialog, SessionsDialog, TextEditorDialog, default_export_path, slug
from grt.screens.synthesis_names import NamesDialog
from grt.synthesis import (
    get_synthesis,
    list_items,
    list_replacements,
    mark_validated,
    set_texts,
    validate_all,
    validation_counts,
)

NOW = dt.datetime(2026, 11, 27, 18, 30, 0)
RULE = "Il faut finir à l'heure."
REAL = "je reste dix minutes de plus chez Rachid"
VALUE = "sinon elle ne mange pas"
GAP = "Sur le papier c'est trente minutes, en vrai c'est quarante."
SECRET = "la direction veut supprimer le poste"


def ruler_nlp(*names):
    """A blank French pipeline whose entity ruler tags these names as persons: the model's job, made exact."""
    nlp = spacy.blank("fr")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PER", "pattern": n} for n in names])
    return nlp


@pytest.fixture(scope="module")
def stand_in_model():
    return ruler_nlp("Rachid")


@pytest.fixture(autouse=True)
def no_real_model(monkeypatch, stand_in_model):
    """Screens opened by the app load "the French model": here, a small exact stand-in."""
    monkeypatch.setattr(grt.anonymize, "ner_pipeline", lambda: stand_in_model)
    return stand_in_model


def tag(db, contribution, quote, code, **attributes):
    start = contribution.text.index(quote)
    return add_annotation(db, contribution.id, code, start, start + len(quote), attributes=attributes)


@pytest.fixture
def setup(db, group_setup):
    """One session: a rule, a workaround naming someone, a value, a gap (in two poles), an off-record
    passage; a norm debate and a proposal."""
    from grt.debates import create_debate
    from grt.proposals import add_proposal

    g, s = group_setup["group"], group_setup["session"]
    c1 = add_contribution(db, s.id, group_setup["paul"].id, f"{RULE} Moi {REAL}, {VALUE}.")
    c2 = add_contribution(db, s.id, group_setup["lina"].id, GAP)
    secret = add_contribution(db, s.id, group_setup["chef"].id, f"Entre nous, {SECRET}.", off_record=True)
    a_rule = tag(db, c1, RULE, "prescrit")
    a_real = tag(db, c1, REAL, "reel")
    tag(db, c1, VALUE, "valeur", dimension="sans_dimension")
    tag(db, c2, GAP, "ecart")
    tag(db, secret, SECRET, "prescrit")
    create_debate(db, g.id, "Finir à l'heure ou finir le repas", annotation_ids=[a_rule.id, a_real.id], choice="Le repas d'abord.")
    add_proposal(db, g.id, "Compter le temps du repas dans le plan d'aide.", "organisateurs", session_id=s.id)
    return group_setup


def make_app(db) -> GrtApp:
    return GrtApp(db, clock=lambda: NOW)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_synthesis(pilot, session_id: int) -> SynthesisScreen:
    pilot.app.open_screen("synthesis", session_id=session_id)
    await settle(pilot)
    assert isinstance(pilot.app.screen, SynthesisScreen)
    return pilot.app.screen


def placed(db, sid):
    return {(i.pole, i.quote, i.dropped, i.validation) for i in list_items(db, sid, include_dropped=True)}


def shown(screen, pole) -> str:
    return "\n".join(str(o.prompt) for o in screen.column(pole).option_list.options)


def plain(widget) -> str:
    """What a Static shows, as text (tables included)."""
    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def messages(app) -> str:
    return "\n".join(n.message for n in app._notifications)


async def test_a_synthesis_written_validated_and_exported_from_the_keyboard(db, setup, tmp_path):
    app = make_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_synthesis(pilot, setup["session"].id)
        sid = screen.synthesis.id
        # Pre-filled by the default mapping; the gap sits in two poles; nothing said off the record.
        assert placed(db, sid) == {
            ("savoirs", RULE, False, "pending"),
            ("savoirs", GAP, False, "pending"),
            ("experience", REAL, False, "pending"),
            ("experience", GAP, False, "pending"),
            ("ethique", VALUE, False, "pending"),
        }
        assert not any(SECRET in shown(screen, p) for p in ("savoirs", "experience", "ethique"))
        # The name scan ran in a worker: the quote shows as it will leave, with the code and the speaker.
        experience = shown(screen, "experience")
        assert "chez [personne]" in experience and "Rachid" not in experience
        assert "Renormalisation" in experience and "Paul · 20/11/2026" in experience and "À VALIDER" in experience
        # The cursor starts on the first item to validate.
        assert screen.pole == "savoirs" and screen.column().current.quote == RULE

        # Maj+→ twice takes the rule to the ethics pole; the cursor follows it; Maj+↑ puts it first.
        await pilot.press("shift+right", "shift+right")
        assert screen.pole == "ethique" and screen.column().current.quote == RULE
        await pilot.press("shift+up")
        assert [i.quote for i in list_items(db, sid, "ethique")] == [RULE, VALUE]

        # Suppr drops the gap's copy in the knowledge pole; Suppr again takes it back; Suppr once more.
        await pilot.press("1")
        assert screen.column().current.quote == GAP
        await pilot.press("delete")
        assert ("savoirs", GAP, True, "pending") in placed(db, sid)
        await pilot.press("delete")
        assert ("savoirs", GAP, False, "pending") in placed(db, sid)
        await pilot.press("delete")
        assert validation_counts(db, sid)["dropped"] == 1

        # The group validates one item, withholds the next, then everything left at once.
        await pilot.press("right", "home")
        assert screen.pole == "experience" and screen.column().current.quote == REAL
        await pilot.press("v")
        assert ("experience", REAL, False, "validated") in placed(db, sid)
        assert screen.column().current.quote == GAP  # on to the next item to validate
        await pilot.press("r")
        assert ("experience", GAP, False, "withheld") in placed(db, sid)
        # The same passage, dropped from the knowledge pole, is withheld with it: it can never leave.
        assert ("savoirs", GAP, True, "withheld") in placed(db, sid)
        await pilot.press("V")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("o")
        assert validation_counts(db, sid) == {"pending": 0, "validated": 3, "withheld": 1, "dropped": 1}
        assert "Même passage" in messages(app)

        # An introduction and the text of the pole shown.
        await pilot.press("i")
        assert isinstance(app.screen, TextEditorDialog)
        await pilot.press(*"Une séance sur le temps.")
        await pilot.press("ctrl+s")
        await pilot.press("t")
        await pilot.press(*"Les intervenantes ajustent.")
        await pilot.press("escape")  # Escape keeps the text too
        await settle(pilot)
        s = get_synthesis(db, sid)
        assert s.introduction == "Une séance sur le temps." and s.text_experience == "Les intervenantes ajustent."
        assert "Une séance sur le temps." in str(screen.query_one("#synth-intro").render())

        # g: the group validated it, at the app's clock.
        await pilot.press("g")
        assert get_synthesis(db, sid).validated_at == "2026-11-27T18:30:00"
        assert "VALIDÉE PAR LE GROUPE le 27/11/2026 à 18:30" in str(screen.query_one("#synth-head").render())

        # e: a dialog with a sensible file name; Enter exports in a worker; the log shows it.
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one("#synth-export-path").value.endswith("synthese-equipe-saad-est-2026-11-20.docx")
        out = tmp_path / "synthese.docx"
        dialog.query_one("#synth-export-path").value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and out.exists()
        log = list_exports(db, synthesis_id=sid)
        assert len(log) == 1 and log[0]["items"] == 3 and log[0]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
        assert f"Synthèse exportée (3 extraits) : {out}" in messages(app)
        table = plain(screen.query_one("#synth-log-table"))
        assert "synthese.docx" in table and log[0]["sha256"][:12] in table


async def test_export_waits_for_the_group(db, setup, tmp_path):
    app = make_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_synthesis(pilot, setup["session"].id)
        sid = screen.synthesis.id
        # Items still to validate: no dialog, a sentence that says what to do.
        await pilot.press("e")
        assert app.screen is screen and "5 extrait(s) à valider" in messages(app)
        # g is refused too, with the domain's sentence.
        await pilot.press("g")
        assert get_synthesis(db, sid).validated_at is None and "encore" in messages(app).lower()
        # Everything decided but not marked: e asks whether the group validated, then records it.
        validate_all(db, sid)
        screen.reload()
        await pilot.press("e")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("o")
        await pilot.pause()
        assert get_synthesis(db, sid).validated_at == "2026-11-27T18:30:00"
        assert isinstance(app.screen, ExportDialog)


async def test_an_existing_file_is_replaced_only_when_asked(db, setup, tmp_path):
    out = tmp_path / "rapport.docx"
    out.write_bytes(b"keep me")
    app = make_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_synthesis(pilot, setup["session"].id)
        validate_all(db, screen.synthesis.id)
        mark_validated(db, screen.synthesis.id)
        screen.reload()
        await pilot.press("e")
        app.screen.query_one("#synth-export-path").value = str(tmp_path / "rapport")  # .docx is added
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert isinstance(app.screen, ExportDialog) and "autre nom" in str(app.screen.query_one(".form-error").render())
        await pilot.press("enter", "o")
        await settle(pilot)
        assert out.read_bytes()[:2] == b"PK" and len(list_exports(db)) == 1
        # A folder that does not exist is said in the dialog, before any work.
        await pilot.press("e")
        app.screen.query_one("#synth-export-path").value = str(tmp_path / "nowhere" / "x.docx")
        await pilot.press("enter")
        assert isinstance(app.screen, ExportDialog) and "n'existe pas" in str(app.screen.query_one(".form-error").render())


async def test_a_failed_export_says_why_and_leaves_no_file(db, setup, tmp_path, monkeypatch):
    import grt.export
    from grt.errors import GrtError

    def broken(*args, **kwargs):
        raise GrtError("Le modèle Word ne contient pas le style « Quote ».")

    monkeypatch.setattr(grt.export, "render", broken)
    app = make_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_synthesis(pilot, setup["session"].id)
        validate_all(db, screen.synthesis.id)
        mark_validated(db, screen.synthesis.id)
        screen.reload()
        await pilot.press("e")
        app.screen.query_one("#synth-export-path").value = str(tmp_path / "x.docx")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and "style « Quote »" in messages(app)
        assert not (tmp_path / "x.docx").exists() and list_exports(db) == []
        assert not screen.query_one("#synth-busy").has_class("-busy")


async def test_changing_a_validated_synthesis_asks_and_reopens_it(db, setup):
    app = make_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_synthesis(pilot, setup["session"].id)
        sid = screen.synthesis.id
        validate_all(db, sid)
        mark_validated(db, sid, when="2026-11-25T10:00:00")
        screen.reload()
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert get_synthesis(db, sid).validated and validation_counts(db, sid)["withheld"] == 0
        await pilot.press("r", "o")
        assert not get_synthesis(db, sid).validated and validation_counts(db, sid)["withheld"] == 1
        assert "EN PRÉPARATION" in str(screen.query_one("#synth-head").render())


async def test_names_found_are_shown_and_corrected_before_export(db, setup):
    app = make_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_synthesis(pilot, setup["session"].id)
        sid = screen.synthesis.id
        assert [(r["original"], r["replacement"]) for r in list_replacements(db, sid)] == [("Rachid", "[personne]")]
        await pilot.press("n")
        dialog = app.screen
        assert isinstance(dialog, NamesDialog)
        # c (or Enter) corrects the replacement.
        await pilot.press("c")
        dialog.query_one("#synth-names-input").value = ""
        await pilot.press(*"le voisin", "enter")
        assert list_replacements(db, sid)[0]["replacement"] == "le voisin"
        # a adds a name the search missed; the replacement offered for a participant's real name is the role.
        await pilot.press("a", *"Lina Moreau", "enter")
        assert dialog.query_one("#synth-names-input").value == "[aide à domicile]"
        await pilot.press("enter")
        assert ("Lina Moreau", "[aide à domicile]") in {(r["original"], r["replacement"]) for r in list_replacements(db, sid)}
        # k keeps a word that is not a name; a participant's full real name can never be kept.
        await pilot.press("k")
        assert "vrai nom ne peut pas rester" in str(dialog.query_one(".form-error").render())
        assert ("Lina Moreau", "[aide à domicile]") in {(r["original"], r["replacement"]) for r in list_replacements(db, sid)}
        await pilot.press("down", "k")
        assert ("Rachid", "Rachid") in {(r["original"], r["replacement"]) for r in list_replacements(db, sid)}
        await pilot.press("p")
        assert ("Rachid", "[personne]") in {(r["original"], r["replacement"]) for r in list_replacements(db, sid)}
        await pilot.press("c")
        dialog.query_one("#synth-names-input").value = ""
        await pilot.press(*"le voisin", "enter")
        await pilot.press("escape")
        await pilot.pause()
        # Back on the screen, the quote shows the corrected replacement.
        assert "chez le voisin" in shown(screen, "experience")


async def test_the_name_scan_never_freezes_the_screen(db, setup):
    release = threading.Event()
    started = threading.Event()

    class SlowModel:
        """Stands for the French model loading: blocks until released."""

        def pipe(self, texts, batch_size=128):
            started.set()
            release.wait(10)
            return (spacy.blank("fr")(t) for t in texts)

    app = make_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        app.push_screen(SynthesisScreen(db, session_id=setup["session"].id, nlp=SlowModel()))
        await pilot.pause()
        screen = app.screen
        assert started.wait(5)
        # The model is busy: progress is shown and the keys still work.
        assert screen.query_one("#synth-busy").has_class("-busy")
        assert "Recherche des noms" in str(screen.query_one("#synth-busy-text").render())
        await pilot.press("v")
        assert validation_counts(db, screen.synthesis.id)["validated"] == 1
        release.set()
        await settle(pilot)
        assert not screen.query_one("#synth-busy").has_class("-busy")


async def test_the_last_three_sessions_in_one_synthesis(db, setup):
    from grt.sessions import add_session

    g = setup["group"]
    older = [add_session(db, g.id, d, "") for d in ("2026-09-18", "2026-10-02", "2026-10-16")]
    app = make_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_synthesis(pilot, setup["session"].id)
        first = screen.synthesis.id
        await pilot.press("s")
        assert isinstance(app.screen, SessionsDialog)
        await pilot.press("3", "enter")
        await settle(pilot)
        s = screen.synthesis
        assert s.id != first and s.session_ids == [older[1].id, older[2].id, setup["session"].id]
        assert "Synthèse des séances du 2 octobre 2026 au 20 novembre 2026  ·  3 séances" in str(screen.query_one("#synth-head").render())
        assert len(list_items(db, s.id)) == 5  # the tagged passages of those sessions
        # Back to this session alone: its own synthesis again.
        await pilot.press("s", "1", "enter")
        await settle(pilot)
        assert screen.synthesis.id == first


async def test_debates_proposals_and_the_export_log_can_be_read(db, setup):
    app = make_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_synthesis(pilot, setup["session"].id)
        await pilot.press("d")
        assert isinstance(app.screen, ReadingDialog)
        body = plain(app.screen.query_one("#synth-reading Static"))
        assert "Finir à l'heure ou finir le repas" in body and "Compter le temps du repas" in body
        await pilot.press("escape", "j")
        assert isinstance(app.screen, ReadingDialog)
        assert "Aucun export" in plain(app.screen.query_one("#synth-reading Static"))


async def test_one_pole_at_a_time_on_a_small_screen(db, setup):
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_synthesis(pilot, setup["session"].id)
        visible = [p for p in ("savoirs", "experience", "ethique") if screen.column(p).display and screen.column(p).region.width]
        assert visible == ["savoirs"]
        await pilot.press("right")
        await pilot.pause()
        assert [p for p in ("savoirs", "experience", "ethique") if screen.column(p).region.width] == ["experience"]
        await pilot.press("3")
        await pilot.pause()
        assert screen.pole == "ethique" and screen.column("ethique").region.width > 70
        # The footer keeps the essential keys.
        shown_keys = {b.description for _, b in screen._bindings if b.show}
        assert {"Valider", "Retenir", "Écarter", "Export Word", "Retour"} <= shown_keys


async def test_help_palette_and_registry(db, setup):
    assert SCREENS["synthesis"].target == "grt.screens.synthesis:SynthesisScreen"
    app = make_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        app.session_id = setup["session"].id
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert SCREENS["synthesis"].label in commands
        screen = await open_synthesis(pilot, setup["session"].id)
        titles = [t for t, _, _ in screen.commands()]
        assert "Exporter en Word" in titles and "Titre de la synthèse" in titles
        await pilot.press("f1")
        help_text = str(app.screen.render_help().columns[1]._cells)
        assert "retient" in help_text and "Exporter la synthèse validée" in help_text


async def test_ctrl_s_right_after_fast_typing_keeps_every_letter(db):
    from textual import events

    app = make_app(db)
    async with app.run_test() as pilot:
        got = []
        app.push_screen(TextEditorDialog("Introduction", "", ""), got.append)
        await pilot.pause()
        # Keys already queued when Ctrl+S (a priority key) arrives, as when typing fast on a busy laptop.
        for ch in "bonjour":
            app.post_message(events.Key(ch, ch))
        app.post_message(events.Key("ctrl+s", None))
        await pilot.pause()
        await pilot.pause()
        assert got == ["bonjour"]


async def test_english_interface(db, setup):
    from grt.i18n import set_language

    set_language("en")
    app = make_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_synthesis(pilot, setup["session"].id)
        assert "IN PREPARATION" in str(screen.query_one("#synth-head").render())
        assert "TO VALIDATE" in shown(screen, "savoirs")
        assert {"Validate", "Withhold", "Drop", "Export to Word"} <= {b.description for _, b in screen._bindings}


def test_default_file_name_is_readable_and_safe(tmp_path):
    assert slug("GRT Aide à domicile — secteur Est") == "grt-aide-a-domicile-secteur-est"
    assert slug("???") == "groupe"
    assert default_export_path("Équipe / Nuit", ["2026-11-20"], tmp_path) == tmp_path / "synthese-equipe-nuit-2026-11-20.docx"
    three = default_export_path("Équipe", ["2026-11-20", "2026-09-18", "2026-10-02"], tmp_path)
    assert three.name == "synthese-equipe-2026-09-18-au-2026-11-20.docx"
    # No folder given: the Documents folder if there is one, else the home folder.
    assert default_export_path("Équipe", ["2026-11-20"]).parent.is_dir()


# --- snapshots ---------------------------------------------------------------------------------


def _snapshot_app(tmp_path):
    """The demo GRT, its second session's synthesis half-way through: some items decided, texts begun,
    one earlier export in the log."""
    from grt.db import open_db
    from grt.demo import create_demo
    from grt.sessions import list_sessions
    from grt.synthesis import drop_item, open_synthesis as open_domain, set_validation

    db = open_db(create_demo(tmp_path / "demo.db"))
    session = list_sessions(db)[1]
    s = open_domain(db, [session["id"]])
    items = list_items(db, s.id)
    set_validation(db, items[0].id, "validated")
    set_validation(db, items[1].id, "withheld")
    drop_item(db, items[2].id)
    set_texts(
        db,
        s.id,
        introduction="Deuxième séance : ce qui se passe quand la personne refuse ce qui est prévu.",
        savoirs="Le plan d'aide prévoit la toilette ; l'application ne connaît que « réalisé » ou « non réalisé ».",
    )
    db["exports"].insert(
        {"synthesis_id": s.id, "group_id": s.group_id, "format": "docx", "path": "/home/anne/Documents/synthese-grt-2026-10-15.docx",
         "sessions": f"[{session['id']}]", "items": 24, "sha256": "3f5a9c0e7b21" + "0" * 52, "created_at": "2026-10-20T09:12:00"}
    )
    app = make_app(db)
    app.group_id, app.session_id = s.group_id, session["id"]

    async def run_before(pilot) -> None:
        await pilot.pause()
        await open_synthesis(pilot, session["id"])
        app.clear_notifications()
        await pilot.pause()

    return app, run_before


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_synthesis_snapshot(tmp_path, snap_compare, size):
    app, run_before = _snapshot_app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
