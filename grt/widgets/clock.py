"""The meeting's elapsed time, from the first word typed in the session."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from textual.widgets import Static

from ..i18n import tr


def elapsed_label(started: str | None, ended: str | None, now: dt.datetime, closed: bool = False) -> str:
    if not started:
        return tr("séance close", "meeting closed") if closed else tr("pas commencée", "not started")
    try:
        start = dt.datetime.fromisoformat(started)
        end = dt.datetime.fromisoformat(ended) if ended else now
    except ValueError:
        return ""
    minutes = max(0, int((end - start).total_seconds()) // 60)
    text = f"{minutes // 60} h {minutes % 60:02d}"
    return tr("durée {t}", "lasted {t}", t=text) if ended else tr("depuis {t}", "for {t}", t=text)


class ElapsedClock(Static):
    def __init__(self, now: Callable[[], dt.datetime], **kwargs) -> None:
        super().__init__("", **kwargs)
        self._now = now
        self.started: str | None = None
        self.ended: str | None = None
        self.closed = False

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(5, self.tick)

    def set_times(self, started: str | None, ended: str | None = None, closed: bool = False) -> None:
        self.started, self.ended, self.closed = started, ended, closed
        self.tick()

    def tick(self) -> None:
        self.update(elapsed_label(self.started, self.ended, self._now(), self.closed))
