"""The core imports no Textual: it runs (and is tested) without a terminal UI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import cli_env

import trainer

ROOT = Path(trainer.__file__).parent
# Every module outside the Textual app, and the app's presenter, which is pure by design.
CORE = [*sorted(
    ".".join(("trainer", *path.relative_to(ROOT).with_suffix("").parts)).removesuffix(".__init__")
    for path in ROOT.rglob("*.py")
    if path.relative_to(ROOT).parts[0] != "ui" and path.name != "__main__.py"
), "trainer.ui.presenter"]


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m == 'textual'"
        " or m.startswith('textual.'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=cli_env(), timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_check_itself_would_see_textual() -> None:
    # Guards the test above against passing vacuously (e.g. a wrong module name check).
    code = "import sys, textual; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=cli_env(), timeout=60, check=True)
    assert result.stdout.strip() == "True"
