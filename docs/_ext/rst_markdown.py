"""Rewrite the reStructuredText bits of rstheory's numpydoc docstrings as Markdown.

The docstrings are numpydoc with RST inside (``.. math::`` blocks, ``:math:`` and
``:func:``-style roles, double-backtick literals, literal blocks, one simple table,
``.. [1]`` citations); mkdocstrings renders a docstring's text as Markdown, so the
griffe extension next to this file (``griffe_rst.py``) passes every docstring through
:func:`rst_to_markdown` first.  This module is plain Python with no dependency, so
``tests/test_docs.py`` can test it without MkDocs installed.

Output conventions (``pymdownx.arithmatex`` in generic mode turns ``$...$`` and
``$$...$$`` into MathJax spans and blocks):

* ``.. math::`` -> a ``$$ ... $$`` block per equation (RST separates equations by
  blank lines); a body with ``\\\\`` line breaks and no environment is wrapped in
  ``aligned``, as Sphinx does;
* ``:math:`x``` -> ``$x$`` (on one line);
* ``:func:`~a.b.c``` -> a code span ``c``, ``:func:`a.b.c``` -> ``a.b.c`` (any role
  but ``:math:``); with a ``resolve`` callback that maps the target to a full
  identifier, an *optional* autorefs link, which mkdocs-autorefs renders as plain
  text, without a warning, when the target is not documented;
* ````literal```` -> ```literal```;
* ``text::`` and its indented literal block -> ``text:`` and a fenced ``text`` block;
  a ``>>>`` block outside a numpydoc Examples section -> a fenced ``pycon`` block;
* an RST simple table (``====  ====`` borders) -> a Markdown table;
* ``.. [label] text`` -> a list item ``[label] text``; each entry of a numpydoc See
  Also section -> a list item of references (``:obj:`` roles);
* the content of a list item, indented to the item's text in RST, is indented by four
  columns per level, as Python-Markdown requires.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable

__all__ = ["rst_to_markdown"]

Resolver = Callable[[str], str | None]

_MATH_DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<rest>.*)$")
_TABLE_BORDER = re.compile(r"^(?P<indent>[ \t]*)=+(?:[ \t]+=+)+[ \t]*$")
_UNDERLINE = re.compile(r"^[ \t]*-{3,}[ \t]*$")
_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[*+-]|\d{1,2}[.)]|#\.)[ \t]+(?=\S)")
_CITATION = re.compile(r"^(?P<indent>[ \t]*)\.\. (?P<label>\[[^\]\s]+\])[ \t]+", re.MULTILINE)
_SPANS = re.compile(r":math:`[^`]+`|``.+?``", re.DOTALL)
_INLINE = re.compile(
    r":math:`(?P<math>[^`]+)`"
    r"|:(?:py:)?(?P<role>[a-z]+):`(?P<target>[^`]+)`"
    r"|``(?P<literal>.+?)``",
    re.DOTALL,
)
_FENCE = re.compile(r"(^[ \t]*```(?:pycon|text)\n.*?^[ \t]*```$)", re.MULTILINE | re.DOTALL)
_TITLED_TARGET = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip())


def _indented_block(lines: list[str], i: int, indent: int) -> tuple[list[str], int]:
    """The lines from ``i`` on that are blank or indented past ``indent``, dedented."""
    j = i
    while j < len(lines) and (not lines[j].strip() or _indent_of(lines[j]) > indent):
        j += 1
    while j > i and not lines[j - 1].strip():
        j -= 1
    return textwrap.dedent("\n".join(lines[i:j])).split("\n") if j > i else [], j


def _open_block(out: list[str]) -> None:
    if out and out[-1].strip():
        out.append("")


def _math_blocks(lines: list[str]) -> list[str]:
    """Replace every ``.. math::`` directive by ``$$`` display blocks."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _MATH_DIRECTIVE.match(lines[i])
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        indent = match["indent"]
        body, i = _indented_block(lines, i + 1, len(indent))
        body = [match["rest"], *body]
        # directive options (``:label:``, ``:nowrap:``) have no Markdown meaning
        while body and re.match(r"^(:[a-z-]+:.*)?$", body[0].strip()):
            body.pop(0)
        equations: list[list[str]] = [[]]
        for line in body:
            if line.strip():
                equations[-1].append(line.rstrip())
            elif equations[-1]:
                equations.append([])
        for equation in (eq for eq in equations if eq):
            if any("\\\\" in line for line in equation) and not any(
                "\\begin" in line for line in equation
            ):
                equation = ["\\begin{aligned}", *equation, "\\end{aligned}"]
            _open_block(out)
            out += [indent + "$$", *(indent + line for line in equation), indent + "$$"]
        if i < len(lines) and lines[i].strip():
            out.append("")
    return out


def _code_blocks(lines: list[str]) -> list[str]:
    """Fence RST literal blocks (``text::``) and doctest blocks (``>>>``).

    A doctest block in a numpydoc Examples section is left alone: griffe's numpydoc
    parser makes code of it; elsewhere (a module docstring, Notes) it would render as
    a Markdown quote.
    """
    out: list[str] = []
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = line[: _indent_of(line)]
        if i + 1 < len(lines) and line.strip() and _UNDERLINE.match(lines[i + 1]):
            section = line.strip()
        if line.rstrip().endswith("::") and not line.lstrip().startswith(".. "):
            body, j = _indented_block(lines, i + 1, len(indent))
            if any(body):
                # ``text::`` -> ``text:``; ``text ::`` -> ``text``; a bare ``::`` goes
                text = line.rstrip()[:-2]
                if text.strip():
                    out.append(text.rstrip() if text.endswith(" ") else text + ":")
                _open_block(out)
                first = next(k for k, body_line in enumerate(body) if body_line.strip())
                out += [indent + "```text", *(indent + b for b in body[first:]), indent + "```"]
                i = j
                continue
        if section != "Examples" and line.lstrip().startswith(">>>"):
            _open_block(out)
            out.append(indent + "```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(lines[i])
                i += 1
            out.append(indent + "```")
            continue
        out.append(line)
        i += 1
    return out


def _list_indents(lines: list[str]) -> list[str]:
    """Indent the content of list items by four columns per level (RST: to the text)."""
    out: list[str] = []
    # per open item: RST content column, extra indent, whether it has several blocks
    stack: list[tuple[int, int, bool]] = []
    fenced = False
    for line in lines:
        if not line.strip():
            stack = [(column, extra, True) for column, extra, _ in stack]
            out.append(line)
            continue
        indent = _indent_of(line)
        closed_loose = False
        while not fenced and stack and indent < stack[-1][0]:
            closed_loose |= stack.pop()[2]
        if closed_loose and out[-1].strip():
            # after an item of several blocks Python-Markdown reads the next line lazily
            out.append("")
        shift = sum(extra for _, extra, _ in stack)
        out.append(" " * shift + line)
        if line.lstrip().startswith("```") or line.strip() == "$$":
            fenced = not fenced
        elif not fenced and (item := _ITEM.match(line)) is not None:
            stack.append((item.end(), max(0, len(item["indent"]) + 4 - item.end()), False))
    return out


def _see_also(lines: list[str]) -> list[str]:
    """Make each entry of a numpydoc See Also section a list item of references."""
    out: list[str] = []
    section, base = "", 0
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and line.strip() and _UNDERLINE.match(lines[i + 1]):
            section, base = line.strip(), _indent_of(line)
        elif section == "See Also" and line.strip() and not _UNDERLINE.match(line):
            if _indent_of(line) == base:
                names, _, description = line.strip().partition(" : ")
                refs = ", ".join(f":obj:`{name.strip()}`" for name in names.split(",") if name)
                line = " " * base + "- " + refs + (f": {description}" if description else "")
        out.append(line)
    return out


def _split_row(line: str, starts: list[int]) -> list[str]:
    ends = [*starts[1:], None]
    return [line[start:end].strip() for start, end in zip(starts, ends, strict=True)]


def _simple_tables(lines: list[str]) -> list[str]:
    """Replace RST simple tables (header, ``=`` borders) by Markdown tables."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        top = _TABLE_BORDER.match(lines[i])
        borders = [i]
        j = i + 1
        while top is not None and j < len(lines) and len(borders) < 3 and lines[j].strip():
            if lines[j] == lines[i]:
                borders.append(j)
            j += 1
        if top is None or len(borders) != 3:  # not a simple table with a header
            out.append(lines[i])
            i += 1
            continue
        starts = [m.start() for m in re.finditer(r"=+", lines[i])]
        rows: list[list[str]] = []
        header_rows = 0
        for k in range(borders[0] + 1, borders[2]):
            if k == borders[1]:
                header_rows = len(rows)
                continue
            cells = _split_row(lines[k], starts)
            if rows and not cells[0] and k != borders[1] + 1:
                # a blank first column continues the row above
                rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
            else:
                rows.append(cells)
        header = [" ".join(column).strip() for column in zip(*rows[:header_rows], strict=True)]
        _open_block(out)
        out += [
            top["indent"] + row
            for row in [
                "| " + " | ".join(header) + " |",
                "|" + "|".join("---" for _ in starts) + "|",
                *("| " + " | ".join(row) + " |" for row in rows[header_rows:]),
            ]
        ]
        i = borders[2] + 1
    return out


def _inline(text: str, resolve: Resolver | None) -> str:
    """Rewrite ``:math:``, the cross-reference roles and double-backtick literals."""

    def replace(match: re.Match[str]) -> str:
        if match["math"] is not None:
            return "$" + match["math"].strip() + "$"
        if match["literal"] is not None:
            literal = match["literal"]
            return f"`` {literal} ``" if "`" in literal else f"`{literal}`"
        target = match["target"].strip()
        titled = _TITLED_TARGET.match(target)
        if titled is not None:
            title, target = titled["title"], titled["target"]
        elif target.startswith("~"):
            target = target[1:]
            title = target.rsplit(".", 1)[-1]
        else:
            title = target
        identifier = resolve(target) if resolve is not None else None
        if identifier is None:
            return f"`{title}`"
        return f'<autoref identifier="{identifier}" optional><code>{title}</code></autoref>'

    return _INLINE.sub(replace, text)


def rst_to_markdown(text: str, resolve: Resolver | None = None) -> str:
    """Return ``text`` (an RST-flavoured numpydoc docstring) with Markdown in place of RST.

    Parameters
    ----------
    text : str
        The docstring, already dedented (as griffe stores it).
    resolve : callable, optional
        Maps a role's target (``"bounds.clopper_pearson_lower"``, ``"max_radius"``)
        to the full identifier of a documented object, or ``None``; when given and
        it returns an identifier, the role becomes an optional autorefs link.

    Returns
    -------
    str
        The Markdown text.
    """
    # inline math and literals on one line: a wrapped line that starts with ``+`` or
    # ``-`` would otherwise open a Markdown list
    text = _SPANS.sub(lambda m: re.sub(r"[ \t]*\n[ \t]*", " ", m[0]), text)
    lines = _see_also(_simple_tables(_math_blocks(_code_blocks(text.split("\n")))))
    text = "\n".join(_list_indents(lines))
    text = _CITATION.sub(r"\g<indent>- \g<label> ", text)
    # the fenced blocks are code: leave their backticks alone
    parts = _FENCE.split(text)
    parts[::2] = [_inline(part, resolve) for part in parts[::2]]
    return "".join(parts)
