"""The JSON Schema for editors: valid draft-07, true to the format, installed and named by files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO_ROOT, run_trainer
from jsonschema import Draft7Validator

from trainer.library import schema, yamledit
from trainer.library.loader import read_text

BUILT_IN = sorted((REPO_ROOT / "exercises").rglob("*.yaml"))
FIXTURES = sorted(p for p in (REPO_ROOT / "tests" / "fixtures").rglob("*.y*ml")
                  if not read_text(p.name, p.read_bytes()).problems)


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    return Draft7Validator(schema.library_schema())


def _errors(validator: Draft7Validator, data: Any) -> list[str]:
    return [error.message for error in validator.iter_errors(data)]


def test_it_is_a_draft_07_schema_without_pydantic_keys() -> None:
    document = schema.library_schema()
    Draft7Validator.check_schema(document)
    assert document["$schema"] == "http://json-schema.org/draft-07/schema#"
    text = json.dumps(document)
    assert "$defs" not in text and "discriminator" not in text and "x-trainer" not in text
    assert all(ref.startswith("#/definitions/") for ref in _refs(document))
    assert set(_refs(document)) <= {f"#/definitions/{name}" for name in document["definitions"]}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


@pytest.mark.parametrize("path", BUILT_IN + FIXTURES,
                         ids=[str(p.relative_to(REPO_ROOT)) for p in BUILT_IN + FIXTURES])
def test_it_accepts_every_good_file(validator: Draft7Validator, path: Path) -> None:
    assert _errors(validator, yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_the_fixtures_include_good_files() -> None:
    assert FIXTURES


def _exercise(**fields: Any) -> dict[str, Any]:
    return {"exercises": [{"id": "wall-sit", "name": "Wall sit", "category": "strength",
                           **fields}]}


def _routine(*steps: Any) -> dict[str, Any]:
    return {"routines": [{"id": "r", "name": "R", "steps": list(steps)}]}


@pytest.mark.parametrize("data", [
    {"version": 1, **_exercise(hold="30s")},
    _exercise(hold=45), _exercise(duration="1m30s"), _exercise(duration="1:30"),
    _exercise(hold="1h"), _exercise(hold="2.5s"), _exercise(hold="1M 30S"),
    _exercise(reps=12, tempo="3s"), _exercise(reps=8, hold=None),
    _routine("wall-sit", {"exercise": "wall-sit", "hold": "20s", "rest": 0, "say": "Go"},
             {"exercise": "wall-sit", "tempo": "2s"},
             {"block": "B", "repeat": 2, "rest_between": "30s",
              "steps": ["wall-sit", {"block": "Inner", "steps": [{"rest": "1m"}]}]},
             {"interval": {"work": "20s", "rest": "10s", "rounds": 8, "exercises": ["a", "b"]}},
             {"rest": "1m", "say": "Well done."}),
    {"routines": [{"id": "r", "name": "R", "defaults": {"get_ready": 0, "countdown": 3,
                                                        "announce": False}, "steps": []}]},
])
def test_it_accepts_what_trainer_reads(validator: Draft7Validator, data: Any) -> None:
    assert _errors(validator, data) == []
    assert not read_text("x.yaml", yaml.safe_dump(data).encode()).problems


@pytest.mark.parametrize("data", [
    {"exercise": []},  # an unknown top-level key
    _exercise(hold="30s", holdd="30s"),
    _routine({"exercise": "wall-sit", "sett": 3}),
    {"routines": [{"id": "r", "name": "R", "steps": [], "defaults": {"rests": 3}}]},
    _exercise(hold="30s", sets="many"),
    _exercise(hold="abc"),
    _exercise(hold="30 secs"),
    _exercise(hold=0),
    _exercise(hold=-5),
    _exercise(hold=4 * 3600),
    _exercise(hold=True),
    _exercise(hold="30s", category="yoga"),
    _exercise(hold="30s", id="Not A Slug"),
    _exercise(),  # no timing
    _exercise(hold="30s", reps=3),  # two timings
    _exercise(hold="30s", tempo="3s"),  # tempo without reps
    _routine({"exercise": "wall-sit", "hold": "30s", "duration": "1m"}),
    _routine({"exercise": "wall-sit", "hold": "30s", "tempo": "2s"}),
    _routine({"rest": 0}),
    _routine({"rest": "abc"}),
    _routine({"interval": {"work": "20s", "rounds": 0, "exercises": ["a"]}}),
    _routine({"interval": {"work": "20s", "rounds": 2, "exercises": []}}),
    _routine({"block": "B"}),
    _routine({"say": "hello"}),
    _routine("Not a slug"),
    _routine(3),
    {"version": 2},
])
def test_it_rejects_what_trainer_refuses(validator: Draft7Validator, data: Any) -> None:
    assert _errors(validator, data)
    assert read_text("x.yaml", yaml.safe_dump(data).encode()).problems


def _properties(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for owner, node in [("file", document), *document["definitions"].items()]:
        for name, prop in node.get("properties", {}).items():
            yield f"{owner}.{name}", prop


def test_every_property_has_a_description_and_examples() -> None:
    document = schema.library_schema()
    properties = dict(_properties(document))
    assert len(properties) > 40
    bare = [name for name, prop in properties.items()
            if not prop.get("description") or not prop.get("examples")]
    assert bare == []
    # draft-07 ignores whatever sits beside a $ref, so a described reference goes through allOf.
    assert not [name for name, prop in properties.items() if "$ref" in prop]


def test_the_examples_are_valid_values() -> None:
    document = schema.library_schema()
    for name, prop in _properties(document):
        checker = Draft7Validator({**prop, "definitions": document["definitions"]})
        for example in prop["examples"]:
            assert not list(checker.iter_errors(example)), (name, example)


def test_durations_are_a_number_or_a_pattern() -> None:
    document = schema.library_schema()
    hold = document["definitions"]["RestStep"]["properties"]["rest"]
    assert hold["anyOf"][0]["type"] == "number"
    assert hold["anyOf"][1] == {"type": "string", "pattern": schema.DURATION_PATTERN}
    step = document["definitions"]["Step"]["anyOf"]
    assert step[0]["type"] == "string" and len(step) == 5


def test_nothing_is_installed_at_first(isolated_dirs: dict[str, Path]) -> None:
    assert schema.installed_path() == isolated_dirs["config"] / schema.SCHEMA_FILE
    assert schema.modeline() == ""
    out = yamledit.dump(yamledit.new_document("exercises", {"id": "a"}, "Mine"))
    assert out.startswith("# Mine\nversion: 1\n")


def test_install_then_the_modeline(isolated_dirs: dict[str, Path]) -> None:
    path = schema.install()
    assert path == isolated_dirs["config"] / schema.SCHEMA_FILE
    assert json.loads(path.read_text(encoding="utf-8")) == schema.library_schema()
    assert schema.modeline() == f"# yaml-language-server: $schema={path}\n"
    out = yamledit.dump(yamledit.new_document("exercises", {"id": "a"}, "Mine\nsecond"))
    assert out.startswith(f"{schema.modeline()}# Mine\n# second\nversion: 1\nexercises:\n")
    assert yaml.safe_load(out) == {"version": 1, "exercises": [{"id": "a"}]}


def test_a_path_with_a_space_goes_as_a_uri(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setenv("TRAINER_CONFIG_DIR", str(tmp_path / "my config"))
    path = schema.install()
    assert schema.modeline() == f"# yaml-language-server: $schema={path.as_uri()}\n"
    assert " " not in schema.modeline().strip()[len("# yaml-language-server: "):]


def test_the_command_prints_and_installs(isolated_dirs: dict[str, Path]) -> None:
    printed = run_trainer("schema", cwd=REPO_ROOT)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == schema.library_schema()
    assert printed.stdout.startswith('{\n  "$schema"')
    assert not (isolated_dirs["config"] / schema.SCHEMA_FILE).exists()
    installed = run_trainer("schema", "--install", cwd=REPO_ROOT)
    assert installed.returncode == 0, installed.stderr
    path = isolated_dirs["config"] / schema.SCHEMA_FILE
    assert installed.stdout == f"{path}\n"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(printed.stdout)
    assert schema.modeline() == f"# yaml-language-server: $schema={path}\n"
    out = yamledit.dump(yamledit.new_document("routines", {"id": "r", "steps": []}, "New"))
    assert out.startswith(schema.modeline() + "# New\n")
