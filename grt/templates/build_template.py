"""Build grt-synthese.docx, the default Word template of grt's exports.

Run from the repository root:  python grt/templates/build_template.py
The result is committed; rerun this script after changing a style here.

A sober look for an association's report: A4, Arial (Liberation Sans under LibreOffice), one dark
blue-green for titles, quotes set off by a thin rule on the left, light tables, page numbers in the footer
(not on the cover). Styles the exporter uses: Title, Subtitle, Heading 1-3, Quote, List Bullet, Table Grid,
and four of its own (GRT Cover, GRT Source, GRT Note, GRT Table).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Arial"
INK = RGBColor(0x22, 0x22, 0x22)
ACCENT = RGBColor(0x1F, 0x4E, 0x5F)  # dark blue-green
MUTED = RGBColor(0x5F, 0x6B, 0x70)
RULE = "8FB3BF"
OUT = Path(__file__).with_name("grt-synthese.docx")


def _font(style, size: float, *, bold=False, italic=False, color=INK, name=FONT) -> None:
    f = style.font
    f.name = name
    f.size = Pt(size)
    f.bold = bold
    f.italic = italic
    f.color.rgb = color
    # East-Asian and complex-script slots too, or Word falls back to its own theme font for some characters.
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _spacing(style, before: float, after: float, line: float | None = 1.15) -> None:
    pf = style.paragraph_format
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line is not None:
        pf.line_spacing = line


def _border(style, side: str, size_eighths: int, color: str, space: int = 4) -> None:
    ppr = style.element.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), color)
    borders.append(edge)


def _paragraph_style(doc, name: str, base: str = "Normal"):
    styles = doc.styles
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        return style


def _french_defaults(doc) -> None:
    """Spell-check in French, and the body font everywhere by default."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "fr-FR")
    lang.set(qn("w:eastAsia"), "fr-FR")
    lang.set(qn("w:bidi"), "ar-SA")


def _field(paragraph, instruction: str, placeholder: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _table_grid(doc) -> None:
    """Table Grid with light rules instead of black ones."""
    style = doc.styles["Table Grid"]
    style.font.name = FONT
    style.font.size = Pt(9.5)
    tblpr = style.element.find(qn("w:tblPr"))
    borders = tblpr.find(qn("w:tblBorders"))
    for edge in borders:
        edge.set(qn("w:color"), "BFC9CC")
        edge.set(qn("w:sz"), "4")
    margins = OxmlElement("w:tblCellMar")
    for side, width in (("top", 50), ("left", 90), ("bottom", 50), ("right", 90)):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:w"), str(width))
        e.set(qn("w:type"), "dxa")
        margins.append(e)
    tblpr.append(margins)


def build(path: Path = OUT) -> Path:
    doc = Document()
    styles = doc.styles
    _french_defaults(doc)

    normal = styles["Normal"]
    _font(normal, 10.5)
    _spacing(normal, 0, 6)

    title = styles["Title"]
    _font(title, 26, bold=True, color=ACCENT)
    _spacing(title, 6, 10, 1.0)
    # The default Title has a blue bottom rule in python-docx's template; a cover needs none.
    ppr = title.element.get_or_add_pPr()
    for b in ppr.findall(qn("w:pBdr")):
        ppr.remove(b)

    subtitle = styles["Subtitle"]
    _font(subtitle, 14, color=MUTED)
    _spacing(subtitle, 0, 24, 1.1)

    for name, size, before, after in (("Heading 1", 16, 18, 8), ("Heading 2", 13, 14, 6), ("Heading 3", 11, 10, 4)):
        h = styles[name]
        _font(h, size, bold=True, color=ACCENT)
        _spacing(h, before, after, 1.0)
        h.paragraph_format.keep_with_next = True
    _border(styles["Heading 1"], "bottom", 6, RULE, 2)
    styles["Heading 1"].paragraph_format.page_break_before = False

    quote = styles["Quote"]
    _font(quote, 10.5, italic=True, color=INK)
    _spacing(quote, 8, 1, 1.15)
    quote.paragraph_format.left_indent = Cm(0.8)
    quote.paragraph_format.right_indent = Cm(0.5)
    quote.paragraph_format.keep_with_next = True
    quote.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _border(quote, "left", 18, RULE, 8)

    bullet = styles["List Bullet"]
    _font(bullet, 10.5)
    _spacing(bullet, 0, 4)

    cover = _paragraph_style(doc, "GRT Cover")
    _font(cover, 10, bold=True, color=MUTED)
    cover.font.all_caps = True
    _spacing(cover, 140, 6, 1.0)

    source = _paragraph_style(doc, "GRT Source")
    _font(source, 9, color=MUTED)
    _spacing(source, 0, 6, 1.0)
    source.paragraph_format.left_indent = Cm(1.0)

    note = _paragraph_style(doc, "GRT Note")
    _font(note, 9.5, italic=True, color=MUTED)
    _spacing(note, 0, 8)

    _table_grid(doc)

    table_text = _paragraph_style(doc, "GRT Table")
    _font(table_text, 9.5)
    _spacing(table_text, 0, 0, 1.1)

    footer_style = styles["Footer"]
    _font(footer_style, 8, color=MUTED)

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.3)
    section.left_margin = section.right_margin = Cm(2.4)
    section.header_distance = section.footer_distance = Cm(1.1)
    section.different_first_page_header_footer = True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Groupe de Rencontres du Travail · synthèse validée par le groupe · page ")
    _field(footer, "PAGE", "1")

    props = doc.core_properties
    props.author = "grt"
    props.last_modified_by = "grt"
    props.title = ""
    props.subject = ""
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.revision = 1
    stamp = dt.datetime(2026, 1, 1)
    props.created = props.modified = stamp
    props.last_printed = stamp

    # python-docx's base template carries a thumbnail of another document: file browsers would show it.
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rid]

    doc.save(str(path))
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
