"""The group's open proposals ("faire autrement"), with where they stand: shown on demand."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from sqlite_utils import Database
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import tr
from .render import short_date


def open_proposals(db: Database, group_id: int, session_id: int | None = None) -> list[dict[str, Any]]:
    """Open proposals of the group; for a session, those born before it (asked about at the opening)."""
    from ..proposals import list_proposals, open_proposals_for_session

    if session_id is not None:
        return open_proposals_for_session(db, session_id)
    return list_proposals(db, group_id=group_id, open_only=True)


def render_proposals(proposals: list[dict[str, Any]]) -> Text:
    from ..proposals import destination_label, status_label

    if not proposals:
        return Text(tr("Aucune proposition en attente pour ce groupe.", "No open proposal for this group."), style="italic")
    out = Text()
    for i, p in enumerate(proposals):
        if i:
            out.append("\n\n")
        out.append("• ", style="bold")
        out.append(p["text"], style="bold")
        born = short_date(p.get("session_date") or (p.get("created_at") or "")[:10])
        out.append("\n  " + destination_label(p["destination"]), style="dim")
        if p.get("carrier"):
            out.append(tr(" · portée par {c}", " · carried by {c}", c=p["carrier"]), style="dim")
        out.append(tr(" · née le {d}", " · from {d}", d=born), style="dim")
        last = p.get("last") or {}
        out.append("\n  ")
        out.append(f" {status_label(p['status'])} ", style="bold reverse")
        if last.get("date"):
            out.append(tr(" le {d}", " on {d}", d=short_date(last["date"])))
        if last.get("note"):
            out.append(f" : {last['note']}")
        if p.get("answer"):
            out.append("\n  " + tr("Réponse : ", "Answer: "), style="bold")
            out.append(p["answer"])
    return out


class ProposalsPanel(VerticalScroll):
    """Read-only list; it scrolls with the keyboard when focused."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.can_focus = True
        self._body = Static("")

    def compose(self):
        yield self._body

    def show_proposals(self, proposals: list[dict[str, Any]]) -> None:
        self._body.update(render_proposals(proposals))
        self.border_title = tr("Propositions en cours ({n})", "Open proposals ({n})", n=len(proposals))


class ProposalsDialog(ModalScreen[None]):
    """The same list as a window over the current screen (home screen, key f)."""

    def __init__(self, proposals: list[dict[str, Any]]) -> None:
        super().__init__()
        from .keys import Key, bind_keys

        bind_keys(self, [Key("escape,f", "close", "Fermer", "Close")])
        self.proposals = proposals

    def compose(self):
        yield ProposalsPanel(id="proposals-dialog")

    def on_mount(self) -> None:
        panel = self.query_one(ProposalsPanel)
        panel.show_proposals(self.proposals)
        panel.border_subtitle = tr("Échap pour fermer", "Esc to close")
        panel.focus()

    def action_close(self) -> None:
        self.dismiss(None)
