"""The Textual application: the home screen first, then the screens a facilitator opens from it.

Screens that work on "the current group" or "the current session" are listed in SCREENS. Each is imported
only when first opened (start-up stays fast) and appears in the command palette. To add one (annotation,
debates & proposals, review, synthesis), add an entry; its target is called as
``target(db, group_id=..., session_id=...)`` and returns a Screen.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from sqlite_utils import Database
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from .i18n import language, tr
from .widgets.keys import key_label


@dataclass(frozen=True)
class ScreenSpec:
    label_fr: str
    label_en: str
    help_fr: str
    help_en: str
    target: str  # "module:Class", imported on first use
    needs: str = "session"  # "session" or "group": what must be chosen before it can open
    key: str | None = None  # optional app-wide key (use keys a TextArea does not take, e.g. ctrl+letters)

    @property
    def label(self) -> str:
        return tr(self.label_fr, self.label_en)


SCREENS: dict[str, ScreenSpec] = {
    "meeting": ScreenSpec(
        "Séance : saisie en direct",
        "Meeting: live capture",
        "Contributions, intervenants, codage à la volée",
        "Contributions, speakers, tagging on the fly",
        "grt.screens.meeting:MeetingScreen",
    ),
    "synthesis": ScreenSpec(
        "Synthèse : trois pôles, validation, export Word",
        "Synthesis: three poles, validation, Word export",
        "La synthèse de la session (ou de plusieurs), validée par le groupe, exportée en Word",
        "The synthesis of the session (or several), validated by the group, exported to Word",
        "grt.screens.synthesis:SynthesisScreen",
    ),
    "debates": ScreenSpec(
        "Débats de normes et propositions du groupe",
        "Norm debates and proposals of the group",
        "Relier normes, renormalisations et valeurs ; suivre les « faire autrement » jusqu'à la réponse",
        "Link norms, renormalisations and values; follow proposals until they are answered",
        "grt.screens.debates:DebatesScreen",
        needs="group",
    ),
    "review": ScreenSpec(
        "Revue du groupe : recherche et codes sur toutes les sessions",
        "Group review: search and codes over all sessions",
        "Chercher ce qui a été dit, compter les codes par session, chronologie des débats et propositions",
        "Search what was said, count codes per session, timeline of debates and proposals",
        "grt.screens.review:ReviewScreen",
        needs="group",
    ),
    "annotate": ScreenSpec(
        "Annotation : décider des suggestions, coder, mémos",
        "Annotation: decide suggestions, tag, memos",
        "Après la séance : accepter ou refuser les codes proposés, corriger un passage, coder ce qui manque, écrire des mémos",
        "After the meeting: accept or reject the proposed codes, fix a passage, tag what is missing, write memos",
        "grt.screens.annotate:AnnotateScreen",
    ),
    "codebook": ScreenSpec(
        "Codes et indices : précision des suggestions dans le groupe",
        "Codes and cues: precision of the suggestions in the group",
        "Chaque code avec ses indices, leur précision (acceptées / décidées), désactiver un indice bruyant",
        "Each code with its cues, their precision (accepted / decided), switch a noisy cue off",
        "grt.screens.codebook:CodebookScreen",
        needs="group",
    ),
}


class GrtApp(App):
    TITLE = "grt"
    # Absolute, so that subclasses defined elsewhere (benchmarks, tests) find it too.
    CSS_PATH = Path(__file__).parent / "app.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]

    def __init__(
        self,
        db: Database,
        db_path: Path | None = None,
        demo_created: bool = False,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.db_path = db_path
        self.demo_created = demo_created
        # Injected in tests so that clocks and "saved at" times are reproducible.
        self.clock = clock or dt.datetime.now
        # What the person has chosen: the screens in SCREENS open for these.
        self.group_id: int | None = None
        self.session_id: int | None = None
        self._bindings.bind("f1", "help", tr("Aide", "Help"), priority=True)
        for name, spec in SCREENS.items():
            if spec.key:
                self._bindings.bind(spec.key, f"open_screen('{name}')", spec.label, show=False, priority=True)

    def now(self) -> dt.datetime:
        return self.clock()

    def get_default_screen(self) -> Screen:
        from .screens.home import HomeScreen

        return HomeScreen(self.db)

    def on_mount(self) -> None:
        self.title = "grt"
        if self.demo_created:
            self.notify(
                tr(
                    "Bienvenue ! Voici un groupe de démonstration. Entrée ouvre une session, F1 montre les touches.",
                    "Welcome! Here is a demo group. Enter opens a session, F1 shows the keys.",
                ),
                timeout=8,
            )

    # --- screens ---------------------------------------------------------------------------------

    def open_screen(self, name: str, group_id: int | None = None, session_id: int | None = None) -> None:
        spec = SCREENS[name]
        group_id = group_id if group_id is not None else self.group_id
        session_id = session_id if session_id is not None else self.session_id
        if spec.needs == "session" and session_id is None:
            self.notify(tr("Choisissez d'abord une session.", "Choose a session first."), severity="warning")
            return
        if spec.needs == "group" and group_id is None:
            self.notify(tr("Choisissez d'abord un groupe.", "Choose a group first."), severity="warning")
            return
        module, _, attr = spec.target.partition(":")
        factory = getattr(importlib.import_module(module), attr)
        self.push_screen(factory(self.db, group_id=group_id, session_id=session_id))

    def action_open_screen(self, name: str) -> None:
        self.open_screen(name)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        sections = screen.help_sections() if hasattr(screen, "help_sections") else []
        notes = screen.help_notes() if hasattr(screen, "help_notes") else []
        title = {
            "HomeScreen": tr("accueil", "home"),
            "MeetingScreen": tr("séance", "meeting"),
            "DebatesScreen": tr("débats et propositions", "debates and proposals"),
            "ReviewScreen": tr("revue du groupe", "group review"),
            "AnnotateScreen": tr("annotation", "annotation"),
            "CodebookScreen": tr("codes et indices", "codes and cues"),
            "SynthesisScreen": tr("synthèse", "synthesis"),
        }.get(type(screen).__name__, "grt")
        self.push_screen(HelpScreen(title, sections, notes))

    # --- command palette -------------------------------------------------------------------------

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=tr("Tapez quelques lettres d'une action…", "Type a few letters of an action…"), id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if hasattr(screen, "commands"):
            for title, help_text, callback in screen.commands():
                yield SystemCommand(title, help_text, callback)
        for name, spec in SCREENS.items():
            if type(screen).__name__ == spec.target.rpartition(":")[2]:
                continue
            if (spec.needs == "session" and self.session_id is None) or (spec.needs == "group" and self.group_id is None):
                continue
            yield SystemCommand(spec.label, tr(spec.help_fr, spec.help_en), lambda name=name: self.open_screen(name))
        yield SystemCommand(tr("Aide : toutes les touches", "Help: all the keys"), "F1", self.action_help)
        other = "en" if language() == "fr" else "fr"
        yield SystemCommand(
            tr("Interface en anglais", "Interface in French"),
            tr("Au prochain démarrage de grt", "From the next start of grt"),
            lambda: self._set_language(other),
        )
        yield SystemCommand(tr("Thème (couleurs)", "Theme (colours)"), tr("Clair, sombre…", "Light, dark…"), self.action_change_theme)
        yield SystemCommand(tr("Quitter grt", "Quit grt"), "Ctrl+Q", self.action_quit)

    def _set_language(self, lang: str) -> None:
        from .settings import set_setting

        set_setting(self.db, "lang", lang)
        self.notify(tr("Langue enregistrée : relancez grt pour l'appliquer.", "Language saved: restart grt to apply it."))

    # --- keys ------------------------------------------------------------------------------------

    def get_key_display(self, binding: Binding) -> str:
        if binding.key_display:
            return binding.key_display
        return key_label(binding.key)

    def action_help_quit(self) -> None:
        # Ctrl+C copies; people who press it to quit are told how.
        self.notify(tr("Pour quitter grt : Ctrl+Q.", "To quit grt: Ctrl+Q."), timeout=3)

    async def action_quit(self) -> None:
        for screen in self.screen_stack:
            if hasattr(screen, "flush_now"):
                screen.flush_now()
        await super().action_quit()
