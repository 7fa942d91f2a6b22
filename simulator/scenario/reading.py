"""Reading scenario files: regular files of bounded size, safe YAML of bounded depth, plain errors.

YAML is read with PyYAML's ``SafeLoader`` (what ``yaml.safe_load`` uses), composing the node tree
first so that every field's line is known; no tag can construct a Python object. What would hang
or crash the reader is refused first, with a message: anything but a regular file (a FIFO would
block forever), files over :data:`MAX_FILE_BYTES`, nesting deeper than :data:`MAX_DEPTH`.
Syntax errors are told in one plain sentence, the parser's own words kept below it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from simulator.scenario.problems import Loc, ScenarioError, dotted

_MERGE = "tag:yaml.org,2002:merge"
#: Scenario and sweep files are a few kilobytes; 5 MB takes seconds to parse, 50 MB a minute.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: A scenario nests about seven levels deep; 20,000 levels would exhaust Python's stack.
MAX_DEPTH = 32


def read_text(path: Path, what: str) -> str:
    """The text of a regular UTF-8 file of at most :data:`MAX_FILE_BYTES`, or ScenarioError."""
    try:
        # non-blocking, so that opening a FIFO returns at once instead of waiting for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ScenarioError([f"{path}: no such {what}."]) from None
    except OSError as err:
        raise ScenarioError([f"{path}: cannot be read ({err.strerror or err})."]) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ScenarioError([f"{path}: cannot be read: it is {_kind(mode)}, not a {what}."])
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(
            [
                f"{path}: cannot be read: it is larger than {MAX_FILE_BYTES // 2**20} MB, the "
                f"limit for a {what} (a scenario takes a few kilobytes)."
            ]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise ScenarioError(
            [
                f"{path}:{line}: cannot be read: byte 0x{raw[err.start]:02x} is not utf-8 text; "
                "save the file as UTF-8."
            ]
        ) from None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


class _TooDeepError(Exception):
    def __init__(self, mark: yaml.Mark):
        super().__init__()
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing nesting deeper than :data:`MAX_DEPTH` (composing recurses)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.depth = 0

    def compose_node(  # noqa: D102 (PyYAML's hook)
        self, parent: yaml.Node | None, index: object
    ) -> yaml.Node | None:
        if self.depth >= MAX_DEPTH:
            raise _TooDeepError(self.peek_event().start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def parse_yaml(text: str, source: str) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML safely, returning the data and the 1-based line of every mapping key / item."""
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError([f"{source}:1: the file is empty; a scenario needs fields."])
        lines: dict[Loc, int] = {}
        _index_lines(loader, node, (), lines, source, set())
        data = loader.construct_document(node)
    except _TooDeepError as err:
        raise ScenarioError(
            [
                f"{source}:{err.mark.line + 1}: invalid YAML: lists and mappings are nested more "
                f"than {MAX_DEPTH} levels deep here; a scenario needs fewer than ten."
            ]
        ) from None
    except yaml.MarkedYAMLError as err:
        raise ScenarioError([_explain(err, text, source)]) from None
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        char = err.character if isinstance(err.character, str) else chr(err.character)
        raise ScenarioError(
            [
                f"{source}:{line}: invalid YAML: the file holds the control character "
                f"U+{ord(char):04X}, which YAML does not allow; scenario files are plain text."
            ]
        ) from None
    except yaml.YAMLError as err:
        raise ScenarioError([f"{source}: invalid YAML: {err}."]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines


def parse_value(raw: str) -> Any:
    """A ``--set`` value read as YAML (a number, a date, true/false), or the text as given."""
    try:
        value, _ = parse_yaml(raw, "--set")
    except ScenarioError:  # not YAML (an impossible date, an open bracket): keep the text
        return raw
    return value


def _index_lines(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    loc: Loc,
    lines: dict[Loc, int],
    source: str,
    seen_nodes: set[int],
) -> None:
    """Record the line of every key and item; reject what the loader would choke on."""
    lines.setdefault(loc, node.start_mark.line + 1)
    if id(node) in seen_nodes:  # an alias: indexed where it was defined (no exponential walk)
        return
    seen_nodes.add(id(node))
    _check_date(loader, node, loc, source)
    if isinstance(node, yaml.MappingNode):
        keys: dict[str, int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1
            if not isinstance(key, yaml.ScalarNode):
                raise ScenarioError(
                    [
                        f"{source}:{line}: {dotted(loc)}: keys must be plain names, not lists or "
                        "mappings."
                    ]
                )
            k = key.value
            if k in keys:
                raise ScenarioError(
                    [
                        f"{source}:{line}: {dotted((*loc, k))}: duplicate key (first given on line "
                        f"{keys[k]})."
                    ]
                )
            keys[k] = line
            # the key as the data will hold it (`1:` is the number 1, `on:` is true); a merge
            # key (`<<: *defaults`) is replaced by the keys it brings
            _check_date(loader, key, (*loc, k), source)
            data_key = k if key.tag == _MERGE else loader.construct_object(key)
            lines[(*loc, data_key)] = line
            _index_lines(loader, value, (*loc, data_key), lines, source, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*loc, i)] = item.start_mark.line + 1
            _index_lines(loader, item, (*loc, i), lines, source, seen_nodes)


def _check_date(loader: yaml.SafeLoader, node: yaml.Node, loc: Loc, source: str) -> None:
    """A scalar that looks like a date must be one (PyYAML would raise a bare ValueError)."""
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
        try:
            loader.construct_yaml_timestamp(node)
        except ValueError as err:
            raise ScenarioError(
                [
                    f"{source}:{node.start_mark.line + 1}: {dotted(loc)}: {node.value!r} is not a "
                    f"valid date ({err}); write dates as YYYY-MM-DD."
                ]
            ) from None


#: Parser complaints, by a phrase of the parser's message, in plain words.
_PLAIN: tuple[tuple[str, str], ...] = (
    (
        "could not determine a constructor",
        "a language-specific tag; scenario files may hold "
        "only plain data (no language-specific tags)",
    ),
    ("found character '\\t'", "a tab character; YAML indents with spaces only"),
    (
        "cannot start any token",
        "a value starts with a character YAML reserves; put the value in quotes",
    ),
    (
        "mapping values are not allowed here",
        "a ': ' (colon and space) where a value should be; "
        "quote a value that holds ': ', or check the indentation of this line",
    ),
    (
        "while parsing a flow sequence",
        "a list opened with '[' is not closed with ']' (or its items are not separated by commas)",
    ),
    (
        "while parsing a flow mapping",
        "a mapping opened with '{' is not closed with '}' (or its "
        "entries are not separated by commas)",
    ),
    ("while scanning a quoted scalar", "a quote is opened and never closed"),
    (
        "found unknown escape character",
        "an unknown backslash escape in a double-quoted value; "
        "use single quotes, or write \\\\ for a backslash",
    ),
    ("found undefined alias", "an alias (*name) refers to no anchor (&name) above it"),
    ("found duplicate anchor", "the same anchor (&name) is defined twice"),
    (
        "expected a single document",
        "the file holds more than one YAML document ('---' starts "
        "another); a scenario is one document",
    ),
    (
        "while scanning a block scalar",
        "a '|' or '>' block of text is followed by other text on its line",
    ),
    ("expected the node content, but found ','", "an empty item in a list (two commas in a row?)"),
    ("for merging", "a merge key '<<' must refer to a mapping"),
    ("expected '<document start>'", "text after the end-of-document marker '...'"),
    ("directive", "a '%' directive that YAML does not accept here"),
    ("while scanning a simple key", "a line that is not 'key: value' (a missing colon?)"),
    ("but found", "this line does not fit the indentation of the lines above it"),
)


def _explain(err: yaml.MarkedYAMLError, text: str, source: str) -> str:
    """One plain sentence for a YAML syntax error, located, with the parser's words below it."""
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else 1
    detail = " ".join(str(p) for p in (err.context, err.problem) if p)
    plain = next((words for phrase, words in _PLAIN if phrase in detail), "the YAML is broken here")
    if "but found '<scalar>'" in detail and mark is not None and _after_a_quote(text, mark):
        plain = (
            "a quoted value is followed by more text on the same line; put the whole value "
            "inside the quotes"
        )
    # a bracket or quote left open is found lines later: say where it opened
    opened = err.context_mark.line + 1 if err.context_mark is not None else line
    if opened != line and any(w in detail for w in ("flow", "quoted", "simple key")):
        plain = f"{plain} (opened on line {opened})"
    return f"{source}:{line}: invalid YAML: {plain}.\n    YAML parser: {detail}."


def _after_a_quote(text: str, mark: yaml.Mark) -> bool:
    """Whether the parser stopped just after a closing quote on the same line."""
    lines = text.splitlines()
    if mark.line >= len(lines):
        return False
    before: str = lines[mark.line][: mark.column]
    return before.rstrip().endswith(("'", '"'))


def trailing_comments(text: str, source: str) -> dict[Loc, str]:
    """The comment at the end of each key's or item's line, by path (its citation, often).

    Scenario files cite their evidence in comments (``resolve: 0.6   # A3, Q02``): this maps
    ``("actors", "US", "resolve")`` to ``"A3, Q02"``. A comment is a ``#`` after a space that is
    not inside quotes; a line that is only a comment belongs to no key.
    """
    _, lines = parse_yaml(text, source)
    rows = text.splitlines()
    found: dict[Loc, str] = {}
    for loc, line in lines.items():
        if not loc or not 0 < line <= len(rows):
            continue
        comment = _comment(rows[line - 1])
        if comment:
            found[loc] = comment
    return found


def _comment(row: str) -> str:
    """The comment of one YAML line ('' if none): after a ``#`` outside quotes, past a space."""
    quote = ""
    for i, ch in enumerate(row):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or row[i - 1] in " \t"):
            return "" if not row[:i].strip() else row[i + 1 :].strip()
    return ""
