"""Key bindings written once, in both languages, for the footer, the F1 help and the command palette.

Textual reads BINDINGS when a class is defined, that is before `--lang` is known; so the screens declare
their keys as `Key` values and bind them per instance with the language of the moment.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from textual.dom import DOMNode

from ..i18n import language, tr

_NAMES_FR = {
    "escape": "Échap",
    "enter": "Entrée",
    "delete": "Suppr",
    "backspace": "Retour arr.",
    "tab": "Tab",
    "shift+tab": "Maj+Tab",
    "space": "Espace",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "home": "Début",
    "end": "Fin",
    "pageup": "Page↑",
    "pagedown": "Page↓",
}
_NAMES_EN = {**_NAMES_FR, "escape": "Esc", "enter": "Enter", "delete": "Del", "backspace": "Backspace", "shift+tab": "Shift+Tab", "space": "Space", "home": "Home", "end": "End"}


def key_label(key: str) -> str:
    """How a person reads a key: 'Ctrl+S', 'Maj+↑', 'Échap', 'F2'."""
    names = _NAMES_EN if language() == "en" else _NAMES_FR
    if key in names:
        return names[key]
    *mods, base = key.split("+")
    # Letters stay lower case ('n', not 'N', which reads as Shift+N); F-keys read 'F2'.
    if base in names:
        base = names[base]
    elif mods and len(base) == 1:
        base = base.upper()
    elif base[:1] == "f" and base[1:].isdigit():
        base = base.upper()
    shift = "Shift" if language() == "en" else "Maj"
    mods = [{"ctrl": "Ctrl", "shift": shift, "alt": "Alt"}.get(m, m) for m in mods]
    return "+".join(mods + [base])


@dataclass(frozen=True)
class Key:
    """One action and its keys: `keys` in Textual's names, comma-separated; the first is the one shown."""

    keys: str
    action: str
    fr: str
    en: str
    show: bool = True
    priority: bool = False
    display: str | None = None  # how the key reads, when key_label() is not enough ("fr|en" if they differ)
    bind: bool = True  # False: documented in F1 only (a key handled by a widget itself)
    wide: bool = False  # shown in the footer only when the terminal is wide enough
    help_fr: str = ""  # a fuller sentence for F1, when the footer label is terse
    help_en: str = ""
    in_help: bool = True  # False for a key already described with another (e.g. Shift+Down with Shift+Up)

    @property
    def label(self) -> str:
        return tr(self.fr, self.en)

    @property
    def display_text(self) -> str | None:
        if not self.display:
            return None
        fr, _, en = self.display.partition("|")
        return tr(fr, en or fr)

    @property
    def shown_keys(self) -> str:
        return self.display_text or " / ".join(key_label(k.strip()) for k in self.keys.split(","))


def bind_keys(node: DOMNode, keys: list[Key], wide: bool = False) -> None:
    """Bind keys on one widget or screen, in the current language (replacing that node's own binding
    of the same key, e.g. OptionList's Enter)."""
    for k in keys:
        if not k.bind:
            continue
        first = True
        for key in k.keys.split(","):
            node._bindings.key_to_bindings.pop(key.strip(), None)
            # Only the first key of a group shows in the footer; the others are synonyms.
            node._bindings.bind(
                key.strip(),
                k.action,
                k.label,
                show=k.show and first and (wide or not k.wide),
                key_display=k.display_text if first else None,
                priority=k.priority,
            )
            first = False


def help_rows(keys: list[Key]) -> list[tuple[str, str]]:
    """(keys, what they do) for the F1 screen; F1 itself is listed once, under "Everywhere"."""
    return [(k.shown_keys, tr(k.help_fr, k.help_en) if k.help_fr else k.label) for k in keys if k.action != "app.help" and k.in_help]


# First in every screen's keys, so that the footer shows it first even at 80 columns.
HELP_KEY = Key("f1", "app.help", "Aide", "Help")


WIDE_FOOTER = 120  # columns from which the footer shows every key marked `wide`


def fit_footer(screen, keys: list[Key]) -> None:
    """Rebind a screen's keys for its width: a narrow footer keeps the essential keys only."""
    from textual.widgets import Footer

    wide = screen.size.width >= WIDE_FOOTER
    if getattr(screen, "_footer_wide", None) == wide:
        return
    screen._footer_wide = wide
    bind_keys(screen, keys, wide=wide)
    for footer in screen.query(Footer):
        footer.show_command_palette = wide
    screen.refresh_bindings()


def after_queued_keys(action):
    """For a priority key whose action reads what is being typed (commit, save, new speaker, tag...).

    A priority binding runs as soon as the app sees the key, while the letters typed just before it may still
    wait in the focused field's queue (fast typing on a busy laptop). Running the action from that queue, after
    them, keeps every letter.
    """

    @functools.wraps(action)
    def deferred(self, *args):
        focused = self.focused
        if focused is None:
            action(self, *args)
        else:
            focused.call_later(action, self, *args)

    return deferred
