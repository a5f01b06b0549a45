"""A TextArea that shows coloured spans (tags) and gives selections as Python string offsets."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import TextArea


class HighlightTextArea(TextArea):
    """Spans are (start, end, style) in offsets of `self.text`, the same offsets annotations store."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("soft_wrap", True)
        kwargs.setdefault("tab_behavior", "focus")
        kwargs.setdefault("show_line_numbers", False)
        # A paragraph is one line: highlighting the cursor line would hide its tags while typing in it.
        kwargs.setdefault("highlight_cursor_line", False)
        super().__init__(*args, **kwargs)
        self._spans: list[tuple[int, int, Style]] = []

    def set_spans(self, spans: list[tuple[int, int, Style]]) -> None:
        if spans == self._spans:
            return
        self._spans = sorted(spans, key=lambda s: (s[0], s[1]))
        self._line_cache.clear()
        self.refresh()

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        if self._spans:
            start = self.document.get_index_from_location((line_index, 0))
            end = start + len(line.plain)
            for s, e, style in self._spans:
                if s < end and e > start:
                    line.stylize(style, max(s, start) - start, min(e, end) - start)
        return line

    def selection_offsets(self) -> tuple[int, int] | None:
        """The selected span as (start, end) offsets into `self.text`, or None if nothing is selected."""
        a, b = self.selection
        if a == b:
            return None
        i = self.document.get_index_from_location(a)
        j = self.document.get_index_from_location(b)
        return (min(i, j), max(i, j))

    def select_offsets(self, start: int, end: int) -> None:
        from textual.widgets.text_area import Selection

        doc = self.document
        self.selection = Selection(doc.get_location_from_index(start), doc.get_location_from_index(end))
