"""Safe, bounded YAML reading that remembers where every key and value came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from trainer.library.problems import shorten

# The C parser when PyYAML was built with libyaml; both only ever build plain data.
Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALARS = yaml.constructor.SafeConstructor()

MAX_DEPTH = 24
MAX_ALIASES = 200
MAX_NODES = 200_000
# No value in the format needs more digits; longer numbers are refused before int() sees them
# (past 4,300 digits int() raises, and such a number only ever means a broken file).
MAX_DIGITS = 20
_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
# YAML 1.1 reads 1:30 as the number 90; kept as the text 1:30, it is still 90 s as a duration
# (durations read the clock form) and is no longer 90 where a count is expected.
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}
_BASES = {2: "binary", 8: "octal", 16: "hexadecimal"}

Path_ = tuple[str | int, ...]
Mark = tuple[int, int]


class YamlError(Exception):
    """A file that cannot be read as plain, bounded YAML; carries a 1-based line and column."""

    def __init__(self, message: str, line: int = 1, col: int = 1, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.hint = hint


# What PyYAML says when a line is indented more or less than its neighbours.
_INDENTATION = ("did not find expected key", "did not find expected '-' indicator",
                "mapping values are not allowed", "expected <block end>")


def _syntax_hint(problem: str, text: str, line: int) -> str:
    """A hint for the usual causes of a syntax error: a tab, or a line indented wrongly."""
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in here[: len(here) - len(here.lstrip())]:
        return "indent with spaces: YAML does not allow tabs there"
    if any(words in problem for words in _INDENTATION):
        return ("check the indentation of this line and the one before: the keys of one "
                "mapping, and the '- ' items of one list, start in the same column")
    return ""


class Refused:
    """Stands in for a value already reported as a problem: no field of the model accepts it."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return shorten(self.text)


class _Refusal(Exception):
    """A scalar that cannot stand as written; carries the message and hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class Document:
    """Plain data plus the line and column of each value and mapping key, by path."""

    data: Any
    values: dict[Path_, Mark] = field(default_factory=dict)
    keys: dict[Path_, Mark] = field(default_factory=dict)
    # Values that could not stand as written (line, col, message, hint); each is a `Refused` in
    # the data, so the exercise or routine holding it fails validation as well.
    refused: list[tuple[int, int, str, str]] = field(default_factory=list)

    def mark(self, path: Path_, *, key: bool = False) -> Mark:
        """Where a path is, or its nearest ancestor that exists."""
        table = self.keys if key else self.values
        while path:
            found = table.get(path) or self.values.get(path)
            if found:
                return found
            path = path[:-1]
        return self.values.get((), (1, 1))


def _mark(node: yaml.Node) -> Mark:
    """1-based line and column of a node."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def load(text: str) -> Document:
    """Parse one YAML document into plain data with positions; raises YamlError."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = str(exc.problem or exc.context)
        raise YamlError(f"YAML syntax: {problem}", line, col,
                        _syntax_hint(problem, text, line)) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML syntax: {exc}") from None
    finally:
        loader.dispose()
    doc = Document(None)
    if node is not None:
        doc.data = _Builder(doc).build(node, (), 0)
    return doc


class _Builder:
    """Turns composed nodes into data, enforcing the bounds."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.seen: set[int] = set()
        self.aliases = 0
        self.nodes = 0

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        """Data for one node at a path."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlError(f"too many values (limit {MAX_NODES})", *_mark(node))
        if depth > MAX_DEPTH:
            raise YamlError(f"nested too deeply (limit {MAX_DEPTH} levels)", *_mark(node))
        if not isinstance(node, yaml.ScalarNode):
            # The composer hands back the same node for every alias of an anchor.
            if id(node) in self.seen:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise YamlError(f"too many aliases (limit {MAX_ALIASES})", *_mark(node))
            self.seen.add(id(node))
        self.doc.values[path] = _mark(node)
        # An explicit tag on a list or mapping (!!python/object, !!set, ...) would otherwise be
        # dropped silently, loading something other than what the file says.
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _COLLECTIONS:
            kind = shorten(node.tag.rsplit(":", 1)[-1])
            raise YamlError(
                f"unsupported value type '{kind}'", *_mark(node), hint="remove the tag"
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        try:
            return self._scalar(node)
        except _Refusal as exc:
            key = f"{shorten(path[-1])}: " if path and isinstance(path[-1], str) else ""
            self.doc.refused.append((*_mark(node), key + exc.message, exc.hint))
            return Refused(node.value)

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        """A mapping with text keys and no duplicates."""
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("merge keys (<<) are not supported", *_mark(key_node))
            try:
                key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            except _Refusal:
                key = None
            if not isinstance(key, str):
                raise YamlError("keys must be plain text", *_mark(key_node))
            if key in result:
                first = self.doc.keys[(*path, key)]
                raise YamlError(f"duplicate key '{shorten(key)}'", *_mark(key_node),
                                hint=f"first at line {first[0]}")
            self.doc.keys[(*path, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        """A scalar by its resolved tag: text, numbers, booleans and null only."""
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        if node.tag == _INT:
            return _integer(node.value)
        if node.tag == _FLOAT and _SEXAGESIMAL.fullmatch(node.value):
            return node.value
        if node.tag == _BOOL:
            return _boolean(node.value)
        construct = _SCALARS.yaml_constructors.get(node.tag)
        if construct is None or node.tag.endswith(("binary", "timestamp", "set", "omap")):
            kind = shorten(node.tag.rsplit(":", 1)[-1])
            raise YamlError(
                f"unsupported value type '{kind}'", *_mark(node), hint="quote it to make it text"
            )
        try:
            return construct(_SCALARS, node)
        except (ValueError, KeyError, OverflowError):  # an explicit tag on text that is not one
            kind = shorten(node.tag.rsplit(":", 1)[-1])
            raise _Refusal(f"'{shorten(node.value)}' is not a valid {kind}",
                           "remove the tag, or quote the value to make it text") from None


def _boolean(text: str) -> bool:
    """true or false; YAML 1.1's yes, no, on and off are refused, whatever was meant."""
    word = text.lower()
    if word in ("true", "false"):
        return word == "true"
    if word in ("yes", "no", "on", "off"):
        # `level: on` or `say: no` meant the word; `announce: yes` meant true. Either way,
        # what the file says must be what it means to a reader who does not know YAML 1.1.
        meaning = "true" if word in ("yes", "on") else "false"
        raise _Refusal(f"got {meaning} (YAML reads {text} as {meaning})",
                       f"quote it ('{text}') to make it text, or write true or false")
    raise _Refusal(f"'{shorten(text)}' is not true or false",  # only with an explicit !!bool
                   "remove the tag, or quote the value to make it text")


def _integer(text: str) -> int | str:
    """A YAML 1.1 integer, refused where YAML would read it other than as written in decimal."""
    if _SEXAGESIMAL.fullmatch(text):
        return text
    body = text[1:] if text[:1] in "+-" else text
    digits = body.replace("_", "")
    base = 10
    if digits[:2] in ("0b", "0x"):
        base, digits = (2 if digits[1] == "b" else 16), digits[2:]
    elif len(digits) > 1 and digits[0] == "0":
        base = 8
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise _Refusal(f"a number of {len(digits)} digits is far too long",
                       f"no value here needs more than {MAX_DIGITS} digits")
    if not digits or any(c not in _DIGITS[base] for c in digits):  # only with an explicit !!int
        raise _Refusal(f"'{shorten(text)}' is not a whole number",
                       "remove the tag, or quote the value to make it text")
    sign = -1 if text[:1] == "-" else 1
    value = sign * int(digits, base)
    # 07 is 7 either way; 010 is 8 to YAML and 10 to the person who wrote it.
    if base == 10 or (base == 8 and value == sign * int(digits)):
        return value
    raise _Refusal(f"got {value} (YAML reads {shorten(text)} as {_BASES[base]})",
                   "write it in decimal, or quote it to make it text")
