"""Text from library files shows as written: square brackets are not Textual markup."""

from __future__ import annotations

from pathlib import Path

from conftest import FakeClock, WriteYaml
from pilot_helpers import make_app
from textual.widgets import Button, OptionList, Static

from trainer.library.sources import Source
from trainer.session.catalog import CatalogLoader
from trainer.ui.screens.library import LibraryScreen
from trainer.ui.screens.problems import ProblemsScreen
from trainer.ui.screens.session import SessionScreen
from trainer.ui.screens.summary import SummaryScreen
from trainer.ui.widgets.row_list import RowList

# As markup, "[easy]" would vanish and "[/]" would crash the app (MarkupError).
LIBRARY = """\
    version: 1
    exercises:
      - id: squat
        name: Squat [easy]
        category: strength
        hold: 5s
        instructions: ["Knees [soft], back [/] straight."]
        cues: ["[b]breathe"]
        safety: Stop [now] if it hurts.
    routines:
      - id: brackets
        name: Brackets [/] routine
        steps: [squat]
      - id: broken
        name: Broken
        "colour[/]": red
        steps: [squat]
    """


def shown(screen: SessionScreen | SummaryScreen, widget_id: str) -> str:
    return str(screen.query_one(f"#{widget_id}", Static).render())


async def test_session_and_summary_show_names_and_instructions_as_written(
        write_yaml: WriteYaml, tmp_path: Path, clock: FakeClock) -> None:
    write_yaml("lib/lib.yaml", LIBRARY)
    library = CatalogLoader().load([Source("test", tmp_path / "lib")])
    app = make_app(library, clock, routine_id="brackets")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert shown(screen, "routine") == "Brackets [/] routine"
        clock.advance(10)  # past the get-ready phase, into the hold
        screen.tick()
        await pilot.pause()
        assert shown(screen, "title") == "Squat [easy]"
        how = shown(screen, "instructions")
        assert "Knees [soft], back [/] straight." in how
        assert "[b]breathe" in how
        assert "Stop [now] if it hurts." in how
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")  # "End this session?" -> End
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert "Brackets [/] routine" in shown(summary, "summary-text")


async def test_library_and_problems_show_names_and_messages_as_written(
        write_yaml: WriteYaml, tmp_path: Path, clock: FakeClock) -> None:
    write_yaml("lib/lib.yaml", LIBRARY)
    library = CatalogLoader().load([Source("test", tmp_path / "lib")])
    assert any("colour[/]" in str(p) for p in library.problems)
    async with make_app(library, clock).run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        library_screen = pilot.app.screen
        assert isinstance(library_screen, LibraryScreen)
        table = library_screen.query_one("#routine-table", RowList)
        names = [item.cells[1] for item in table.items]
        assert "◦ Brackets [/] routine" in names  # marked: from a library folder
        library_screen.query_one("#problems-button", Button).press()
        await pilot.pause()
        problems = pilot.app.screen
        assert isinstance(problems, ProblemsScreen)
        options = problems.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("unknown key 'colour[/]'" in prompt for prompt in prompts)


async def test_the_command_palette_shows_routine_names_as_written(
        write_yaml: WriteYaml, tmp_path: Path, clock: FakeClock) -> None:
    write_yaml("lib/lib.yaml", LIBRARY)
    library = CatalogLoader().load([Source("test", tmp_path / "lib")])
    async with make_app(library, clock).run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"Brackets")
        await pilot.pause()
        await pilot.pause()
        options = pilot.app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(p.startswith("Start: Brackets [/] routine") for p in prompts), prompts
