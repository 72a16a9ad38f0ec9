"""docs/architecture.md names every package and module that is in the tree."""

from __future__ import annotations

from conftest import REPO_ROOT


def test_the_architecture_map_names_every_module() -> None:
    doc = (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    root = REPO_ROOT / "trainer"
    missing = []
    for path in sorted(root.rglob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        # Screens and widgets are named as folders; each other module by its file name.
        if path.parent.name not in ("screens", "widgets") and f"  {path.name} " not in doc:
            missing.append(str(path.relative_to(REPO_ROOT)))
    for package in sorted(p for p in root.iterdir() if (p / "__init__.py").exists()):
        if f"{package.name}/" not in doc:
            missing.append(f"{package.relative_to(REPO_ROOT)}/")
    assert missing == []
