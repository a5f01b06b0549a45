"""The Markdown export: the same content as the Word file, as plain text anyone can read or convert."""

from __future__ import annotations

import re

from ..i18n import tr
from . import Content, annex_guide, debates_guide, proposals_guide, reading_guide

# Markers that would turn a line of someone's words into a heading, a list or a quote block.
_LINE_START = re.compile(r"^(\s*)([#>*+-]|\d+[.)])(?=\s)", re.MULTILINE)


def _text(text: str) -> str:
    """User text as Markdown paragraphs, its own markup neutralised."""
    text = text.replace("\\", "\\\\").replace("<", "&lt;")
    text = re.sub(r"([*_`])", r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _inline(text: str) -> str:
    return " ".join(_text(text).split())


def _cell(text: str) -> str:
    return _inline(text).replace("|", "\\|") or "—"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines + [""]


def _block(text: str) -> list[str]:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    out = []
    for p in paras:
        out += [_text(p).replace("\n", "  \n"), ""]
    return out


def render_markdown(content: Content) -> str:
    out: list[str] = [f"# {_inline(content.title)}", "", f"**{_inline(content.group)}**", ""]
    if content.sector:
        out += [tr("Secteur : {s}", "Sector: {s}", s=_inline(content.sector)), ""]
    if content.period:
        out += [content.period, ""]
    for date, question in content.questions:
        out.append(f"- {tr('Question de travail', 'Question')} ({date}){tr(' : ', ': ')}« {_inline(question)} »")
    if content.questions:
        out.append("")
    if content.validated_on:
        out += [f"*{tr('Synthèse validée par le groupe le {d}.', 'Synthesis validated by the group on {d}.', d=content.validated_on)}*", ""]
    out += [
        f"*{tr('Document anonyme : les participants y sont désignés par un pseudonyme ou par leur métier.', 'Anonymous document: participants are named by a pseudonym or by their job.')}*",
        "",
        f"## {tr('Comment lire ce document', 'How to read this document')}",
        "",
        reading_guide(),
        "",
    ]
    out += [f"- **{pole.label}**{tr(' : ', ': ')}{pole.explanation[:1].lower()}{pole.explanation[1:]}" for pole in content.poles] + [""]
    if content.introduction:
        out += [f"## {tr('Introduction', 'Introduction')}", ""] + _block(content.introduction)
    if content.participants:
        out += [f"## {tr('Participants', 'Participants')}", ""]
        out += _table([tr("Participant", "Participant"), tr("Métier", "Job")], [[a, b] for a, b in content.participants])

    for pole in content.poles:
        out += [f"## {pole.label}", "", f"*{pole.explanation}*", ""] + _block(pole.text)
        if pole.quotes:
            out += [f"### {tr('Paroles du groupe', 'The group words')}", ""]
        for q in pole.quotes:
            out += [
                f"> « {_inline(q.text)} »",
                ">",
                f"> — **{_inline(q.speaker)}**, {tr('séance du', 'session of')} {q.date} · *{', '.join(q.codes)}*",
                "",
            ]

    if content.debates:
        out += [f"## {tr('Débats de normes', 'Norm debates')}", "", f"*{debates_guide()}*", ""]
        for d in content.debates:
            out += [f"### {_inline(d.title)}", ""]
            meta = [tr("statut : {s}", "status: {s}", s=d.status)]
            if d.sessions:
                meta.append(tr("séance(s) : {d}", "session(s): {d}", d=", ".join(d.sessions)))
            if d.participants:
                meta.append(tr("avec : {p}", "with: {p}", p=", ".join(_inline(p) for p in d.participants)))
            out += [" · ".join(meta), ""]
            for part in d.parts:
                out += [f"**{part.heading}**", ""] + [f"- {_inline(e)}" for e in part.entries] + [""]
            choice = _inline(d.choice) if d.choice else tr("non tranché à ce jour.", "not settled yet.")
            out += [f"**{tr('Arbitrage', 'Choice made')}**{tr(' : ', ': ')}{choice}", ""]

    if content.proposals:
        out += [f"## {tr('Propositions pour faire autrement', 'Proposals to do otherwise')}", "", f"*{proposals_guide()}*", ""]
        for heading, proposals in content.proposals:
            out += [f"### {heading}", ""]
            out += _table(
                [tr("Proposition", "Proposal"), tr("Statut", "Status"), tr("Réponse et suites", "Answer and follow-up")],
                [
                    [p.text, f"{p.status} ({p.date})" if p.date else p.status, " / ".join(x for x in (p.answer, p.follow_up) if x)]
                    for p in proposals
                ],
            )

    if content.annex:
        out += [f"## {tr('Annexe : extraits codés', 'Annex: coded passages')}", "", f"*{annex_guide()}*", ""]
        for code in content.annex:
            out += [f"### {code.label} ({len(code.quotes)})", ""]
            if code.definition:
                out += [f"*{_inline(code.definition)}*", ""]
            if len(content.session_ids) > 1:
                out += _table(
                    [tr("Extrait", "Passage"), tr("Qui", "Who"), tr("Séance", "Session")],
                    [[f"« {q.text} »", q.speaker, q.short_date] for q in code.quotes],
                )
            else:
                out += _table([tr("Extrait", "Passage"), tr("Qui", "Who")], [[f"« {q.text} »", q.speaker] for q in code.quotes])
    return "\n".join(out).rstrip() + "\n"
