"""The person's own library files edited in place: only what changed is rewritten.

Reading stays with the loader (PyYAML); writing goes through ruamel.yaml's round-trip mode, so
comments, key order, quoting and flow or block style of everything an edit did not touch stay as
they were and `git diff` shows only the change. ruamel still re-spaces some lines it did not need
to touch (two spaces inside a flow mapping, a comment's column): `dump` puts the person's own
text back for every line the edit did not change (see `_splice`).

Comments in ruamel hang off the value before them. Here a comment on its own line belongs with
what follows it: deleting an item drops the item's lines and its end-of-line comment, and the
comment lines below it stay where they were, above the next item.
"""

from __future__ import annotations

import copy
import difflib
import functools
import io
import itertools
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from trainer.library import yamlnodes
from trainer.library.loader import MAX_FILE_BYTES, read_text
from trainer.library.problems import Problem
from trainer.library.yamlnodes import Document
from trainer.paths import read_regular, write_atomic

Kind = Literal["routines", "exercises"]

# The house style of the built-in files: `key:` two spaces in, `- ` two spaces in under its key.
_INDENT = (2, 4, 2)  # mapping, sequence, offset
_SOURCE = "_trainer_source"  # the attribute a loaded document keeps its text and indents in
# Text the loader keeps as written though YAML 1.1 reads it as a number: 1:30 stays "1:30".
_CLOCK_TEXT = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_STR_TAG = "tag:yaml.org,2002:str"
_ONE_A_LINE = frozenset({"steps", "instructions"})  # lists the built-in files write in block style
_RESOLVER = yaml.resolver.Resolver()


class EditError(Exception):
    """A file that cannot be edited (unreadable, not a mapping, bad YAML); str() says why, with
    file:line:col where known."""


@dataclass(frozen=True)
class _Source:
    """The text a document was loaded from, and how to write it back the way it was."""

    text: str  # with "\n" line ends; empty for a file of comments only
    indent: tuple[int, int, int]
    prefix: str = ""  # the comments of a file that held nothing else, kept at the top
    newline: str = "\n"  # "\r\n" for a file written on Windows
    bom: str = ""  # a byte order mark the file started with, kept


def _yaml(indent: tuple[int, int, int] = _INDENT) -> Any:
    """A round-trip ruamel YAML that keeps quotes and never folds a long line."""
    from ruamel.yaml import YAML  # only when editing: ruamel costs ~20 ms of start-up

    rt = YAML(typ="rt")
    rt.Emitter = _emitter()
    rt.preserve_quotes = True
    rt.width = 4096
    mapping, sequence, offset = indent
    rt.indent(mapping=mapping, sequence=sequence, offset=offset)
    return rt


@functools.cache
def _emitter() -> Any:
    """ruamel's emitter, with a line break wherever one is due.

    ruamel 0.19 keeps its "right after `- `, no line break" flag past a comment: with a comment
    above a list and one after its first element, the next element or key came out on the same
    line (`- glute-bridge   - cat-cow`, `- exercise: x hold: 30s`), which is not the same YAML.
    Here the flag is dropped once a value is written on that line: it is meant for a block
    mapping or list starting right after the dash, never for what follows a text or `{...}`.
    """
    from ruamel.yaml.emitter import Emitter

    class _Emitter(Emitter):
        def process_scalar(self) -> None:
            self.no_newline = False
            super().process_scalar()

        def expect_flow_sequence(self, force_flow_indent: bool | None = False) -> None:
            self.no_newline = False
            super().expect_flow_sequence(force_flow_indent)

        def expect_flow_mapping(self, single: bool | None = False,
                                force_flow_indent: bool | None = False) -> None:
            self.no_newline = False
            super().expect_flow_mapping(single, force_flow_indent)

    return _Emitter


def _guess_indent(text: str) -> tuple[int, int, int]:
    """The file's own indents, so a file indented otherwise is not re-indented; else the house's."""
    from ruamel.yaml.util import load_yaml_guess_indent

    try:
        _, sequence, offset = load_yaml_guess_indent(text)
    except Exception:  # the guess is a nicety: the real load reports what is wrong
        return _INDENT
    if not isinstance(sequence, int) or not isinstance(offset, int) or sequence < 2:
        return _INDENT
    mapping = sequence - offset if sequence - offset >= 2 else sequence
    return mapping, max(sequence, offset + 2), offset


def load_document(path: Path) -> Any:
    """The file as a ruamel round-trip document (CommentedMap); raises EditError."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise EditError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EditError(f"{path}:{line}:1: not UTF-8 text") from None
    bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    indent = _guess_indent(text)
    try:
        doc = _yaml(indent).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise EditError(f"{path}{where}: {exc.problem or exc.context or 'bad YAML'}") from None
    except (YAMLError, RecursionError, ValueError) as exc:
        raise EditError(f"{path}: cannot edit it ({str(exc).splitlines()[0]})") from None
    if doc is None:  # empty, or comments only: they stay at the top of what is written
        prefix = text if not text or text.endswith("\n") else text + "\n"
        doc = CommentedMap()
        setattr(doc, _SOURCE, _Source("", indent, prefix.lstrip("\n"), newline, bom))
        return doc
    if not isinstance(doc, CommentedMap):
        raise EditError(f"{path}:1:1: expected a mapping with 'exercises' and/or 'routines'")
    _normalise(doc)
    setattr(doc, _SOURCE, _Source(text, indent, "", newline, bom))
    return doc


def find_item(doc: Any, kind: Kind, item_id: str) -> int | None:
    """Index of the item with that id in doc[kind], or None."""
    items = doc.get(kind) if isinstance(doc, dict) else None
    if not isinstance(items, list):
        return None
    for index, item in enumerate(items):
        if isinstance(item, dict) and plain(item.get("id")) == item_id:
            return index
    return None


def new_document(kind: Kind, item: dict[str, Any], comment: str) -> Any:
    """A fresh document: `# <comment>` as its first line (after the schema's modeline, when the
    schema is installed), then `version: 1` and `<kind>:` holding the one item."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from trainer.library.schema import modeline

    doc = CommentedMap()
    doc["version"] = 1
    doc[kind] = CommentedSeq([_new_node(item, compact=False)])
    lines = comment.splitlines() or [""]
    schema_line = modeline()
    if schema_line:  # ruamel writes each line of a start comment after "# "
        lines.insert(0, schema_line.removeprefix("# ").rstrip("\n"))
    doc.yaml_set_start_comment("\n".join(line.rstrip() for line in lines))
    return doc


def set_item(doc: Any, kind: Kind, index: int | None, item: dict[str, Any]) -> int:
    """Make doc[kind][index] equal to the plain `item` (append when index is None; create doc[kind]
    if missing), changing only what differs; returns the index."""
    from ruamel.yaml.comments import CommentedSeq

    items = doc.get(kind)
    if not isinstance(items, CommentedSeq):  # missing, empty (`routines:`) or not a list
        items = CommentedSeq()
        doc[kind] = items
    if not items:  # `routines: []` grows into a block list, not one long line
        items.fa.set_block_style()
    wanted = [plain(node) for node in items]
    if index is None:
        index = len(wanted)
        wanted.append(item)
    elif not 0 <= index < len(wanted):
        raise IndexError(f"no item {index} in {kind}")
    else:
        wanted[index] = item
    _merge_seq(items, wanted, top=True)
    return index


def remove_item(doc: Any, kind: Kind, index: int) -> None:
    """Delete one item (its comment lines below it stay, above the next one)."""
    items = doc.get(kind)
    if not isinstance(items, list) or not 0 <= index < len(items):
        raise IndexError(f"no item {index} in {kind}")
    wanted = [plain(node) for node in items]
    del wanted[index]
    _merge_seq(items, wanted, deleted=index, top=True)


def dump(doc: Any) -> str:
    """The document as YAML text."""
    source: _Source = getattr(doc, _SOURCE, None) or _Source("", _INDENT)
    edited = _dump(doc, source.indent) if len(doc) else ""
    candidates = [source.prefix + edited]
    if source.text:
        # What ruamel makes of the untouched file tells its re-spacing from the edit.
        base = _dump(_yaml(source.indent).load(source.text), source.indent)
        candidates.insert(0, _splice(source.text, base, edited))
    # Read back before it is handed out: a file is never written as other than what was set.
    wanted = plain(doc)
    for text in candidates:
        try:
            same = plain(_yaml(source.indent).load(text) or {}) == wanted
        except Exception:  # ruamel raises many kinds; any of them means "not this text"
            same = False
        if same:
            return source.bom + text.replace("\n", source.newline)
    raise EditError("cannot write this change faithfully (a limit of ruamel.yaml); "
                    "edit the file in a text editor")


def _dump(doc: Any, indent: tuple[int, int, int]) -> str:
    """ruamel's text for a document."""
    out = io.StringIO()
    _yaml(indent).dump(doc, out)
    return out.getvalue()


def plain(node: Any) -> Any:
    """A ruamel node as plain dicts/lists/str/int/float/bool/None (what the editors work on)."""
    if isinstance(node, dict):
        return {plain(key): plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(value) for value in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return bool(node) if type(node).__name__ == "ScalarBoolean" else int(node)
    if isinstance(node, float):
        return float(node)
    return node


def save(path: Path, text: str) -> None:
    """Write atomically (trainer.paths.write_atomic), creating the folder; refuses (EditError) if
    `text` is larger than the library's 1 MiB file limit."""
    data = text.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise EditError(f"{path}: not saved, it would be larger than {MAX_FILE_BYTES // 1024} KiB"
                        " (the library reads no bigger file)")
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise EditError(f"{path}: cannot write it ({exc.strerror or exc})") from None


def new_file_path(folder: Path, item_id: str) -> Path:
    """`folder/<id>.yaml`, or `<id>-2.yaml`, `-3` ... if taken (never overwrite)."""
    path = folder / f"{item_id}.yaml"
    number = 1
    while os.path.lexists(path):  # a dangling symlink is taken too
        number += 1
        path = folder / f"{item_id}-{number}.yaml"
    return path


# --- the merge -------------------------------------------------------------------------------


def _key(value: Any) -> str:
    """A plain value as comparable text: 1, 1.0 and true differ; key order does not matter."""
    return json.dumps(value, sort_keys=True, default=repr)


def _is_block(node: Any) -> bool:
    """A non-empty block-style mapping or list: the comment after it hangs off its last value."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    return isinstance(node, (CommentedMap, CommentedSeq)) and len(node) > 0 \
        and not node.fa.flow_style()


def _is_flow(node: Any) -> bool:
    """A mapping or list written on one line, in braces or brackets."""
    return hasattr(node, "fa") and bool(node.fa.flow_style())


@dataclass(frozen=True)
class _Slot:
    """Where the comment after a value is kept: ca.items[key][pos] of its container."""

    items: dict[Any, Any]
    key: Any
    pos: int
    # A `|` or `>` text ends with its own line break: its comment token holds only the lines
    # below, where any other value's token starts with the end of the value's line.
    ends_line: bool


def _slot(parent: Any, key: Any) -> _Slot:
    """Where the comment after parent[key] is kept: the deepest last value's comment slot."""
    value = parent[key]
    if _is_block(value):
        last = len(value) - 1 if isinstance(value, list) else list(value)[-1]
        return _slot(value, last)
    block_text = type(value).__name__ in ("LiteralScalarString", "FoldedScalarString")
    return _Slot(parent.ca.items, key, 0 if isinstance(parent, list) else 2, block_text)


def _get(slot: _Slot) -> Any:
    """The comment token in a slot, or None."""
    entry = slot.items.get(slot.key)
    return entry[slot.pos] if entry is not None and len(entry) > slot.pos else None


def _put(slot: _Slot, token: Any) -> None:
    """Set (or with None clear) the comment token in a slot."""
    entry = slot.items.get(slot.key)
    if entry is None:
        if token is None:
            return
        entry = slot.items[slot.key] = [None] * 4  # the shape ruamel gives them
    while len(entry) <= slot.pos:
        entry.append(None)
    entry[slot.pos] = token
    if all(part is None for part in entry):
        del slot.items[slot.key]


@dataclass
class _Tail:
    """An entry's end-of-line comment (kept with it) and the lines after it (kept in place)."""

    inline: Any  # a CommentToken whose value is the rest of the entry's line, or None
    rest: str  # whole lines: comments and blank lines, before the next entry


def _split(slot: _Slot) -> _Tail:
    """The comment token in a slot cut into the entry's own line and the lines below it."""
    token = _get(slot)
    if token is None:
        return _Tail(None, "")
    if slot.ends_line:
        return _Tail(None, token.value)
    first, _, rest = token.value.partition("\n")
    inline = None
    if first.strip():
        inline = copy.copy(token)
        inline.value = first + "\n"
    return _Tail(inline, rest)


def _join(slot: _Slot, tail: _Tail) -> None:
    """Write a tail into a slot (or clear it when there is nothing to write)."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    if slot.ends_line:  # no end-of-line comment is kept after a `|` or `>` text
        _put(slot, CommentToken(tail.rest, CommentMark(0)) if tail.rest else None)
    elif tail.inline is None:
        _put(slot, CommentToken("\n" + tail.rest, CommentMark(0)) if tail.rest else None)
    else:
        token = copy.copy(tail.inline)
        token.value = tail.inline.value + tail.rest
        _put(slot, token)


def _glue(above: str, below: str, *, first: bool = False) -> str:
    """The lines above and below a deleted entry, with one blank line where there were two (and
    none where the entry was the `first`)."""
    lines = below.splitlines(keepends=True)
    if (first and not above) or (above and not above.splitlines()[-1].strip()):
        while lines and not lines[0].strip():
            lines.pop(0)
    return above + "".join(lines)


def _take_tail(parent: Any, key: Any) -> _Tail:
    """Lift the comment after parent[key] out of the tree.

    For a block value only the lines below are lifted: its end-of-line comment belongs to the
    value's own last line, which the value's own merge looks after.
    """
    slot = _slot(parent, key)
    tail = _split(slot)
    if _is_block(parent[key]):
        _join(slot, _Tail(tail.inline, ""))
        return _Tail(None, tail.rest)
    _put(slot, None)
    return tail


def _give_tail(parent: Any, key: Any, tail: _Tail) -> None:
    """Put a lifted comment back after parent[key], after any end-of-line comment already there."""
    slot = _slot(parent, key)
    here = _split(slot)
    inline = here.inline if here.inline is not None else tail.inline
    _join(slot, _Tail(inline, here.rest + tail.rest))


def _width(value: Any) -> int:
    """About how wide a value is on one line."""
    return len(json.dumps(value, separators=(",", ":"), default=repr))


def _scalar(value: Any) -> bool:
    """Not a mapping or a list."""
    return not isinstance(value, (dict, list))


def _flow_ok(value: Any) -> bool:
    """A short mapping that reads well on one line: scalars and lists of scalars only."""
    return isinstance(value, dict) and _width(value) <= 80 and all(
        _scalar(v) or (isinstance(v, list) and all(_scalar(x) for x in v))
        for v in value.values())


def _compact(value: Any) -> bool:
    """What the built-in files write on one line: `{exercise: x, hold: 20s}`, `[calves, hips]`
    (a list of sentences, such as instructions, stays one to a line)."""
    if isinstance(value, list):
        return all(_scalar(v) and len(str(v)) <= 30 for v in value) and _width(value) <= 70
    return _flow_ok(value)


def _new_node(value: Any, *, flow: bool = False, like: Any = None, compact: bool = True) -> Any:
    """A ruamel node for a plain value; `like` is the node it replaces, whose quoting it keeps.

    Short mappings and lists come out on one line, as in the built-in files, unless `compact`
    is false (an exercise or routine itself, which is never one line).
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        SingleQuotedScalarString,
    )

    if isinstance(value, (dict, list)):
        flow = flow or (compact and _compact(value))
        node: Any = CommentedMap() if isinstance(value, dict) else CommentedSeq()
        if isinstance(value, dict):
            for key, item in value.items():
                node[key] = _new_node(item, flow=flow, compact=key not in _ONE_A_LINE)
        else:
            node.extend(_new_node(item, flow=flow) for item in value)
        if flow:
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
        return node
    if isinstance(value, str):
        quoted = (SingleQuotedScalarString, DoubleQuotedScalarString)
        block = type(like).__name__ in ("LiteralScalarString", "FoldedScalarString")
        if isinstance(like, quoted) or (block and not flow):
            return type(like)(value)  # "x" stays double-quoted, 'x' single, >- folded
        if _misread(value):
            return SingleQuotedScalarString(value)
        return value
    return value


def _misread(text: str) -> bool:
    """Whether PyYAML (YAML 1.1) would read this text, written plain, as something else.

    ruamel quotes what YAML 1.2 would misread; the loader reads 1.1, where yes, 010, 1_000
    and = are not text. The loader keeps 1:30 as text, so that is left plain.
    """
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag != _STR_TAG and not _CLOCK_TEXT.fullmatch(text)


def _merge(old: Any, new: Any, *, flow: bool) -> Any:
    """`old` changed to equal `new`: the same node merged where it can be, else a new one."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(old, CommentedMap) and isinstance(new, dict):
        _merge_map(old, new)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        _merge_seq(old, new)
        return old
    if _key(plain(old)) == _key(new):
        return old
    return _new_node(new, flow=flow, like=old)


def _merge_map(node: Any, new: dict[str, Any]) -> None:
    """Keys absent from `new` deleted, changed ones replaced in place, new ones appended."""
    flow = bool(node.fa.flow_style())
    if flow:  # one line: no comments inside to look after
        for key in [key for key in node if key not in new]:
            del node[key]
        for key, value in new.items():
            if key in node:
                merged = _merge(node[key], value, flow=True)
                if merged is not node[key]:
                    node[key] = merged
            else:
                node[key] = _new_node(value, flow=True)
        return
    tails = {key: _take_tail(node, key) for key in node}
    order: list[Any] = []
    for key in list(node):
        if key in new:
            order.append(key)
            continue
        del node[key]
        if order:  # (below a deleted first key, they are dropped: ruamel has no place there)
            tails[order[-1]].rest = _glue(tails[order[-1]].rest, tails[key].rest)
    for key, value in new.items():
        if key in node:
            merged = _merge(node[key], value, flow=False)
            if merged is not node[key]:
                node[key] = merged
        else:
            node[key] = _new_node(value, compact=key not in _ONE_A_LINE)
            tails[key] = _Tail(None, "")
            if order:  # the lines after the last key stay after the mapping
                tails[key].rest, tails[order[-1]].rest = tails[order[-1]].rest, ""
            order.append(key)
    for key in order:
        _give_tail(node, key, tails[key])


def _merge_seq(seq: Any, new: list[Any], deleted: int | None = None, top: bool = False) -> None:
    """Old and new elements aligned on equal values: equal runs untouched, the rest merged.

    `deleted` says which one element goes (of two equal ones), `top` that the elements are
    exercises or routines, never written on one line.
    """
    old = [plain(node) for node in seq]
    flow = bool(seq.fa.flow_style())
    nodes = list(seq)
    tails = [_Tail(None, "") for _ in nodes] if flow else \
        [_take_tail(seq, index) for index in range(len(nodes))]
    if deleted is not None:  # that one, not the first of two equal ones
        opcodes: Sequence[tuple[str, int, int, int, int]] = [
            ("equal", 0, deleted, 0, deleted), ("delete", deleted, deleted + 1, 0, 0),
            ("equal", deleted + 1, len(old), deleted, len(new))]
    else:
        opcodes = difflib.SequenceMatcher(None, [_key(v) for v in old], [_key(v) for v in new],
                                          autojunk=False).get_opcodes()
    # An element deleted in one place and inserted in another is a move: it keeps its node.
    pool = [i for tag, i1, i2, _, _ in opcodes if tag != "equal" for i in range(i1, i2)]
    moved: dict[int, int] = {}
    for j in (j for tag, _, _, j1, j2 in opcodes if tag != "equal" for j in range(j1, j2)):
        index = next((i for i in pool if _key(old[i]) == _key(new[j])), None)
        if index is not None:
            pool.remove(index)
            moved[j] = index
    # A moved element takes the comment lines right above it along.
    above = {i: "" for i in moved.values()}
    for i in moved.values():
        if i > 0:
            above[i], tails[i - 1].rest = tails[i - 1].rest, ""
    out: list[tuple[Any, _Tail]] = []
    lead = ""  # lines that end up above the first element: they join the comment above the list
    head = bool(seq.ca.comment and len(seq.ca.comment) > 1 and seq.ca.comment[1])

    def drop(index: int) -> None:
        nonlocal lead
        if out:
            out[-1][1].rest = _glue(out[-1][1].rest, tails[index].rest)
        else:
            lead = _glue(lead, tails[index].rest, first=not head)

    def fresh(value: Any) -> Any:
        near: Any = out[-1][0] if out else (nodes[0] if nodes else None)
        return _new_node(value, flow=flow or (not top and _flow_ok(value) and _is_flow(near)),
                         compact=not top)

    def insert(node: Any, inline: Any, lines: str = "") -> None:
        nonlocal lead
        tail = _Tail(inline, "")
        if out:  # the lines below the element before stay above the element after
            tail.rest, out[-1][1].rest = out[-1][1].rest, lines
        else:
            lead += lines
        out.append((node, tail))

    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            out.extend((nodes[i], tails[i]) for i in range(i1, i2))
            continue
        olds = [i for i in range(i1, i2) if i not in moved.values()]
        for i in range(i1, i2):
            if i in moved.values():
                drop(i)
        for j in range(j1, j2):
            if j in moved:
                insert(nodes[moved[j]], tails[moved[j]].inline, above[moved[j]])
            elif olds:  # in place of an old element: merged, so editing one key changes one line
                i = olds.pop(0)
                same_kind = isinstance(nodes[i], dict) == isinstance(new[j], dict) \
                    and isinstance(nodes[i], list) == isinstance(new[j], list)
                node = _merge(nodes[i], new[j], flow=flow) if same_kind else fresh(new[j])
                out.append((node, tails[i]))
            else:
                insert(fresh(new[j]), None)
        for i in olds:
            drop(i)
    del seq[:]
    seq.ca.items.clear()
    for node, _ in out:
        seq.append(node)
    if not flow:
        for index, (_, tail) in enumerate(out):
            _give_tail(seq, index, tail)
        if lead:
            _lead(seq, lead)


def _normalise(node: Any) -> None:
    """Every comment line below an entry kept in one place: the comment after that entry.

    ruamel keeps some lines above a list element as the element's own, and lines after the last
    entry of a list or mapping as the list's end; moved to the entry before, they stay where
    they are when that entry or the next one is deleted, moved or added to.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not isinstance(node, (CommentedMap, CommentedSeq)):
        return
    keys = list(range(len(node))) if isinstance(node, CommentedSeq) else list(node)
    for key in keys:
        _normalise(node[key])
    if not keys or _is_flow(node):
        return
    if isinstance(node, CommentedSeq):
        for index in keys:
            entry = node.ca.items.get(index)
            if entry is None or len(entry) < 2 or not entry[1]:
                continue
            lines, entry[1] = entry[1], None
            if index == 0:  # above the first element: with the comment above the list
                _lead(node, "".join(_line(token) for token in lines))
            else:
                _give_tail(node, index - 1, _Tail(None, "".join(_line(t) for t in lines)))
    if node.ca.end:
        lines, node.ca.end = node.ca.end, []
        _give_tail(node, keys[-1], _Tail(None, "".join(_line(token) for token in lines)))


def _line(token: Any) -> str:
    """A comment token kept above an element, as the line it was."""
    if not token.value.strip():
        return str(token.value)
    return " " * getattr(token.start_mark, "column", 0) + str(token.value)


def _lead(seq: Any, lines: str) -> None:
    """Comment lines put back above the first element of a list."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    if seq.ca.comment is None:
        seq.ca.comment = [None, []]
    while len(seq.ca.comment) < 2:
        seq.ca.comment.append(None)
    if seq.ca.comment[1] is None:
        seq.ca.comment[1] = []
    for line in lines.splitlines(keepends=True):
        text = line.lstrip(" ")
        column = len(line) - len(text) if text.strip() else 0
        seq.ca.comment[1].append(CommentToken(text if text.strip() else "\n", CommentMark(column)))


# --- putting the person's own text back --------------------------------------------------------


def _spans(opcodes: Sequence[tuple[str, int, int, int, int]], size: int
           ) -> tuple[dict[int, tuple[int, int]], set[int]]:
    """For each position on the left side: the least and greatest matching position on the right,
    and the positions strictly inside a changed run (with no counterpart)."""
    spans: dict[int, tuple[int, int]] = {}
    inside: set[int] = set()

    def add(at: int, to: int) -> None:
        low, high = spans.get(at, (to, to))
        spans[at] = (min(low, to), max(high, to))

    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            for k in range(i1, i2 + 1):
                add(k, j1 + k - i1)
        else:
            add(i1, j1)
            add(i2, j2)
            inside.update(range(i1 + 1, i2))
    spans.setdefault(size, (size, size))
    return spans, inside


def _respaced(o: list[str], b: list[str], opcodes: Sequence[tuple[str, int, int, int, int]]
              ) -> dict[str, list[str] | None]:
    """For each line ruamel only re-spaced or joined, the person's own line or lines.

    So a line the edit moved (a step, an instruction written over two lines) is put back as it
    was written, wherever it went. None where two different originals gave the same line.
    """
    def words(lines: list[str]) -> str:
        return " ".join(" ".join(lines).split())

    found: dict[str, list[str] | None] = {}
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "replace":
            continue
        at = i1
        for line in b[j1:j2]:
            target, end = words([line]), at + 1
            while end < i2 and len(words(o[at:end])) < len(target):
                end += 1
            if words(o[at:end]) != target:
                break  # not just re-spaced: leave the rest of this stretch to ruamel
            mine = o[at:end]
            found[line] = mine if found.get(line, mine) == mine else None
            at = end
    return found


def _splice(original: str, base: str, edited: str) -> str:
    """The edited text with the person's own lines wherever ruamel's only changed the spacing.

    `base` is ruamel's dump of the unedited file: where it and the edit agree, the original's
    lines for that stretch are used; where the edit changed something, ruamel's.
    """
    o, b, m = (text.splitlines(keepends=True) for text in (original, base, edited))
    if o == b:
        return edited
    o_to_b = difflib.SequenceMatcher(None, o, b, autojunk=False).get_opcodes()
    # Swapped, so that on both alignments the base's positions are on the left.
    base_to_o, _ = _spans([(t, j1, j2, i1, i2) for t, i1, i2, j1, j2 in o_to_b], len(b))
    base_to_m, changed = _spans(
        difflib.SequenceMatcher(None, b, m, autojunk=False).get_opcodes(), len(b))
    respaced = _respaced(o, b, o_to_b)

    def theirs(lines: list[str]) -> list[str]:
        return [mine for line in lines for mine in (respaced.get(line) or [line])]

    # Cut where the two alignments agree; between cuts, either the edit left the stretch alone
    # (the original's lines) or it did not (ruamel's).
    cuts = sorted(p for p in base_to_o if p not in changed and p in base_to_m)
    out: list[str] = []
    copied = False
    for p, q in itertools.pairwise(cuts):
        out += theirs(m[base_to_m[p][0]:base_to_m[p][1]])  # what the edit put in right here
        start, end = base_to_m[p][1], base_to_m[q][0]
        copied = b[p:q] == m[start:end]
        out += o[base_to_o[p][0]:base_to_o[q][0]] if copied else theirs(m[start:end])
    out += theirs(m[base_to_m[len(b)][0]:base_to_m[len(b)][1]])
    if copied or len(cuts) == 1:
        out += o[base_to_o[len(b)][0]:]  # what ruamel leaves off at the end
    return "".join(out)


@dataclass(frozen=True)
class Checked:
    """One item checked as it would be saved: the validator's problems, and where things are."""

    problems: list[Problem]
    doc: Document | None  # the text's positions by path (None: it could not be written)


def check_item(kind: Kind, item: dict[str, Any]) -> Checked:
    """Check one item in memory by the validator that reads files, on the text it saves as."""
    try:
        text = dump(new_document(kind, item, "checked in memory"))
    except EditError as exc:
        return Checked([Problem(kind, 1, 1, str(exc))], None)
    problems = read_text(kind, text.encode("utf-8")).problems
    try:
        doc = yamlnodes.load(text) if problems else None
    except yamlnodes.YamlError:
        doc = None
    return Checked(problems, doc)
