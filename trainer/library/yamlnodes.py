"""Safe, bounded YAML reading that remembers where every key and value came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

# The C parser when PyYAML was built with libyaml; both only ever build plain data.
Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALARS = yaml.constructor.SafeConstructor()

MAX_DEPTH = 24
MAX_ALIASES = 200
MAX_NODES = 200_000
_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")

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


@dataclass
class Document:
    """Plain data plus the line and column of each value and mapping key, by path."""

    data: Any
    values: dict[Path_, Mark] = field(default_factory=dict)
    keys: dict[Path_, Mark] = field(default_factory=dict)

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
        raise YamlError(f"YAML syntax: {exc.problem or exc.context}", line, col) from None
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
            kind = node.tag.rsplit(":", 1)[-1]
            raise YamlError(
                f"unsupported value type '{kind}'", *_mark(node), hint="remove the tag"
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        """A mapping with text keys and no duplicates."""
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("merge keys (<<) are not supported", *_mark(key_node))
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise YamlError("keys must be plain text", *_mark(key_node))
            if key in result:
                first = self.doc.keys[(*path, key)]
                raise YamlError(
                    f"duplicate key '{key}'", *_mark(key_node), hint=f"first at line {first[0]}"
                )
            self.doc.keys[(*path, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        """A scalar by its resolved tag: text, numbers, booleans and null only."""
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        construct = _SCALARS.yaml_constructors.get(node.tag)
        if construct is None or node.tag.endswith(("binary", "timestamp", "set", "omap")):
            kind = node.tag.rsplit(":", 1)[-1]
            raise YamlError(
                f"unsupported value type '{kind}'", *_mark(node), hint="quote it to make it text"
            )
        return construct(_SCALARS, node)
