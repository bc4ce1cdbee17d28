"""The layer picture of DESIGN.md and docs/ARCHITECTURE.md, checked by walking every import.

`LAYERS` is the one list: each entry is a rank and the units in it, a unit being a folder of
bot/ (or store/) or a module loose in bot/. A module may import its own unit and anything
of a lower rank, nothing of its own rank or above; relative imports count like any other.
On top of that: no import cycles, between modules or between folders; the store depends
on the domain only; the pure layers do no I/O and the digest builder neither reads the
clock nor imports the scheduler; only the Slack edge imports Slack's libraries; only
config reads the environment; SQL, `sqlite3` and `sqlite_utils` live in store/.

Each rule is a function returning what breaks it, run on the real tree and, planted with a
violation, on a copy of it (the end of this file): the test catches what it names.
"""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.imports import Tree

ROOT = Path(__file__).resolve().parents[1]
TREE = Tree(ROOT)
SOURCES = TREE.sources

# rank, unit prefixes (a unit imports itself freely). Lowest first.
LAYERS: tuple[tuple[int, tuple[str, ...]], ...] = (
    # the bottom: plain values, and plumbing that imports nothing of ours but itself
    (0, ("bot/domain/", "bot/core/", "bot/__init__.py")),
    (1, ("store/", "bot/monitor/", "bot/reply.py")),
    (2, ("bot/render/", "bot/planio/", "bot/costs/", "bot/context.py")),
    (3, ("bot/digest/", "bot/notify/")),
    (4, ("bot/commands/", "bot/deps.py", "bot/doctor/")),
    # what front ends and jobs share: the change workflow, exports, Home, a plan reload
    (5, ("bot/services/",)),
    # front ends and scheduled work, side by side
    (6, ("bot/slack/", "bot/shell.py", "bot/plan_cli.py", "bot/web/", "bot/jobs/")),
    # wiring: builds and connects the parts below, entry points included
    (7, ("bot/app/",)),
    (8, ("bot/__main__.py",)),
)

# The store speaks domain objects: it may import nothing else of ours.
STORE_MAY_IMPORT = ("store", "bot.domain")
# No I/O: no files, network, database, processes, clock or environment in these.
PURE = ("bot/domain/", "bot/monitor/", "bot/render/")
IO_MODULES = {
    "aiohttp",
    "asyncio",
    "http",
    "os",
    "pathlib",
    "shutil",
    "slack_bolt",
    "slack_sdk",
    "smtplib",
    "socket",
    "sqlite3",
    "sqlite_utils",
    "store",
    "subprocess",
    "tempfile",
    "time",
    "urllib",
}
CLOCK_READS = r"\bopen\(|datetime\.now\(|\.today\(\)|\.utcnow\(|\btime\.time\(|\bmonotonic\("
# The digest builder: the digest's numbers and words from a DigestInput, pure like monitor/.
# Only schedule.py (cron times, through APScheduler) and chart.py (matplotlib) are not.
DIGEST = "bot/digest/"
DIGEST_NOT_BUILDER = ("bot/digest/schedule.py", "bot/digest/chart.py")
SCHEDULER = ("apscheduler", "bot.jobs", "bot.digest.schedule", "bot.digest.chart")
# Only these may talk to Slack; everything else goes through them.
SLACK_ALLOWED = ("bot/slack/", "bot/notify/slack.py")
# In the alert pipeline only the Slack poster knows Block Kit: an outbox row holds its
# message as data and each poster renders its own medium when it sends.
NOTIFY = "bot/notify/"
BLOCK_KIT = "bot.render.blocks"
BLOCK_KIT_ALLOWED = "bot/notify/slack.py"
CONFIG = "bot/core/config.py"
MAX_LINES = 400
MAX_LOOSE = 6

Layers = tuple[tuple[int, tuple[str, ...]], ...]


# -- the rules: each returns what breaks it ------------------------------------------------------


def unit_of(module: str, layers: Layers = LAYERS) -> tuple[int, str] | None:
    """The rank and unit of `module`: the longest matching prefix wins."""
    units = sorted(
        ((rank, prefix) for rank, prefixes in layers for prefix in prefixes),
        key=lambda unit: -len(unit[1]),
    )
    for rank, prefix in units:
        if module == prefix or (prefix.endswith("/") and module.startswith(prefix)):
            return rank, prefix
    return None


def unplaced(tree: Tree) -> list[str]:
    return [tree.module(p) for p in tree.sources if unit_of(tree.module(p)) is None]


def upward(tree: Tree, path: Path) -> list[str]:
    """Imports of a unit of the same rank or above."""
    here = unit_of(tree.module(path))
    assert here is not None, tree.module(path)
    found = []
    for name in sorted(tree.imports(path)):
        target = tree.path_of(name) if tree.ours(name) else None
        if target is None:
            continue
        there = unit_of(target)
        assert there is not None, target
        if there[1] != here[1] and there[0] >= here[0]:
            found.append(f"{name} (rank {there[0]})")
    return found


def top_unit(module: str) -> str:
    """The folder a module lives in right under bot/ (or store/), or the loose module."""
    parts = module.split("/")
    return module if len(parts) == 2 else "/".join(parts[:2]) + "/"


def ranked_apart(layers: Layers) -> list[str]:
    """Units that are not a whole folder or a loose module: a file ranked apart from its
    folder lets the folder depend on what depends back on it."""
    prefixes = [prefix for _, unit in layers for prefix in unit]
    return [p for p in prefixes if top_unit(p) != p and top_unit(p.rstrip("/")) != p]


def loose(tree: Tree) -> list[str]:
    names = {p.name for p in (tree.root / "bot").glob("*.py")}
    return sorted(names - {"__init__.py", "__main__.py"})


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every node from which a path leads back to it, with the path."""
    cycles = []
    for start in sorted(graph):
        trail, seen, todo = {start: [start]}, {start}, [start]
        while todo:
            node = todo.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    cycles.append([*trail[node], start])
                    todo = []
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    trail[nxt] = [*trail[node], nxt]
                    todo.append(nxt)
    return cycles


def folder_arrows(tree: Tree) -> set[tuple[str, str]]:
    """(unit, unit it imports), units being folders and loose modules."""
    arrows = set()
    for path in tree.sources:
        here = top_unit(tree.module(path))
        for name in tree.imports(path):
            target = tree.path_of(name) if tree.ours(name) else None
            if target is not None and top_unit(target) != here:
                arrows.add((here, top_unit(target)))
    return arrows


def folder_cycles(tree: Tree) -> list[list[str]]:
    graph: dict[str, set[str]] = {}
    for a, b in folder_arrows(tree):
        graph.setdefault(a, set()).add(b)
    return _cycles(graph)


def module_cycles(tree: Tree) -> list[list[str]]:
    graph = {
        name: {i for i in tree.imports(path) if i in tree.modules and i != name}
        for name, path in tree.modules.items()
    }
    return _cycles(graph)


def store_reaching_out(tree: Tree, path: Path) -> set[str]:
    if not tree.module(path).startswith("store/"):
        return set()
    return {i for i in tree.imports(path) if tree.ours(i) and not i.startswith(STORE_MAY_IMPORT)}


def impure(tree: Tree, path: Path) -> list[str]:
    """I/O imports and clock reads in the pure layers and the digest builder; the
    scheduler too in the digest builder."""
    module = tree.module(path)
    builder = module.startswith(DIGEST) and module not in DIGEST_NOT_BUILDER
    if not module.startswith(PURE) and not builder:
        return []
    found = sorted(i for i in tree.imports(path) if i.split(".")[0] in IO_MODULES)
    if builder:
        found += sorted(i for i in tree.imports(path) if i.startswith(SCHEDULER))
    return found + re.findall(CLOCK_READS, path.read_text(encoding="utf-8"))


def slack_outside_the_edge(tree: Tree, path: Path) -> set[str]:
    if tree.module(path).startswith(SLACK_ALLOWED):
        return set()
    return {i for i in tree.imports(path) if i.split(".")[0] in ("slack_bolt", "slack_sdk")}


def block_kit_outside_the_slack_poster(tree: Tree, path: Path) -> set[str]:
    module = tree.module(path)
    if not module.startswith(NOTIFY) or module == BLOCK_KIT_ALLOWED:
        return set()
    return {i for i in tree.imports(path) if i == BLOCK_KIT or i.startswith(BLOCK_KIT + ".")}


def environment_outside_config(tree: Tree, path: Path) -> list[str]:
    if tree.module(path) == CONFIG:
        return []
    return re.findall(r"os\.environ|getenv", path.read_text(encoding="utf-8"))


def database_outside_store(tree: Tree, path: Path) -> list[str]:
    """`sqlite3`, `sqlite_utils` and SQL text outside store/."""
    if tree.module(path).startswith("store/"):
        return []
    found = sorted(i for i in tree.imports(path) if i.split(".")[0] in ("sqlite3", "sqlite_utils"))
    # SQL is written in capitals throughout store/; prose such as "select a tier" is not SQL.
    return found + re.findall(
        r"\bSELECT\b[^\n]*\bFROM\b|\bINSERT\s+(?:OR\s+\w+\s+)?INTO\b|\bCREATE\s+TABLE\b|"
        r"\bDELETE\s+FROM\b|\bUPDATE\s+\w+\s+SET\b",
        path.read_text(encoding="utf-8"),
    )


def too_long(path: Path) -> bool:
    return len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES


# -- the real tree --------------------------------------------------------------------------------


def _module(path: Path) -> str:
    return TREE.module(path)


def test_every_module_has_a_place_in_the_layers() -> None:
    assert unplaced(TREE) == []


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_imports_point_down_the_layers(path: Path) -> None:
    assert upward(TREE, path) == [], f"{_module(path)} imports sideways or upward"


def test_layers_rank_folders_and_loose_modules_only() -> None:
    assert ranked_apart(LAYERS) == []


def test_few_modules_loose_in_bot() -> None:
    assert len(loose(TREE)) <= MAX_LOOSE, loose(TREE)


def test_no_folder_depends_on_a_folder_that_depends_back() -> None:
    assert folder_cycles(TREE) == []


def test_no_import_cycles() -> None:
    assert module_cycles(TREE) == []


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_the_store_depends_on_the_domain_only(path: Path) -> None:
    assert store_reaching_out(TREE, path) == set()


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_pure_layers_and_the_digest_builder_do_no_io(path: Path) -> None:
    assert impure(TREE, path) == []


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_only_the_slack_edge_imports_slack(path: Path) -> None:
    assert slack_outside_the_edge(TREE, path) == set()


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_only_the_slack_poster_renders_block_kit_in_notify(path: Path) -> None:
    assert block_kit_outside_the_slack_poster(TREE, path) == set()


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_environment_read_only_in_config(path: Path) -> None:
    assert environment_outside_config(TREE, path) == []


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_the_database_lives_in_store(path: Path) -> None:
    assert database_outside_store(TREE, path) == []


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_no_module_is_over_400_lines(path: Path) -> None:
    assert not too_long(path)


LISTENERS = sorted((ROOT / "bot" / "slack" / "listeners").glob("*.py"))


@pytest.mark.parametrize("path", LISTENERS, ids=_module)
def test_listeners_never_reach_into_the_store(path: Path) -> None:
    # Listeners ack, call the commands layer, render, respond (STYLE.md 2).
    text = path.read_text(encoding="utf-8")
    assert re.findall(r"\.store\b", text) == []


@pytest.mark.parametrize("path", LISTENERS, ids=_module)
def test_listener_callbacks_live_at_module_level(path: Path) -> None:
    # A callback nested in register() is reachable only end to end; at module level a test
    # calls it directly with a Front of its own.
    tree = ast.parse(path.read_text(encoding="utf-8"))
    register = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "register"]
    for node in register:
        nested = [n for n in ast.walk(node) if isinstance(n, ast.AsyncFunctionDef)]
        assert nested == []


def test_delivery_carries_out_what_was_composed_and_renders_nothing() -> None:
    # Post-or-not is decided in bot/monitor, the wording in bot/notify/compose.py, and the
    # outbox worker only sends what the payload holds (a resolution carries its edit).
    deliver = ROOT / "bot" / "notify" / "deliver.py"
    tree = ast.parse(deliver.read_text(encoding="utf-8"))
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert not any("render" in n or n == "alert_reply" for n in names)
    assert not any(i.startswith("bot.render") for i in TREE.imports(deliver))


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_money_is_written_by_the_one_formatter(path: Path) -> None:
    # `-$5` and `$81.60` everywhere: bot.domain.values.fmt_value / bot.domain.money.fmt_money.
    if _module(path).startswith("bot/domain/"):
        return
    text = path.read_text(encoding="utf-8")
    assert re.findall(r'f"-?\$\{|"\$" \+', text) == []


# -- each rule, planted with a violation in a copy of the tree ------------------------------------


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    for package in ("bot", "store"):
        shutil.copytree(
            ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return root


@pytest.fixture
def plant(pristine: Path, tmp_path: Path) -> Callable[..., Tree]:
    """`plant({"bot/domain/x.py": "import os"})`: a copy of the tree with those files."""

    def planted(files: dict[str, str]) -> Tree:
        root = tmp_path / "tree"
        shutil.copytree(pristine, root)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        return Tree(root)

    return planted


def _at(tree: Tree, name: str) -> Path:
    return tree.root / name


@pytest.mark.parametrize(
    "text",
    ["from bot.app import cli\n", "from ..app import cli\n", "from ..jobs.alerts import x\n"],
)
def test_planted_upward_import_is_caught(plant: Callable[..., Tree], text: str) -> None:
    tree = plant({"bot/domain/planted.py": text})
    assert upward(tree, _at(tree, "bot/domain/planted.py")) != []


def test_planted_sideways_relative_import_is_caught(plant: Callable[..., Tree]) -> None:
    tree = plant({"bot/notify/planted.py": "from ..digest import data\n"})
    assert upward(tree, _at(tree, "bot/notify/planted.py")) == ["bot.digest.data (rank 3)"]


def test_planted_module_outside_the_layers_is_caught(plant: Callable[..., Tree]) -> None:
    assert unplaced(plant({"bot/planted.py": ""})) == ["bot/planted.py"]


def test_a_file_ranked_apart_from_its_folder_is_caught() -> None:
    assert ranked_apart((*LAYERS, (9, ("bot/slack/app.py",)))) == ["bot/slack/app.py"]


def test_planted_loose_modules_are_caught(plant: Callable[..., Tree]) -> None:
    tree = plant({f"bot/planted{i}.py": "" for i in range(MAX_LOOSE)})
    assert len(loose(tree)) > MAX_LOOSE


def test_planted_folder_cycle_is_caught(plant: Callable[..., Tree]) -> None:
    tree = plant(
        {
            "bot/domain/planted.py": "from bot.core import config\n",
            "bot/core/planted.py": "from ..domain import plan\n",
        }
    )
    assert ["bot/core/", "bot/domain/", "bot/core/"] in folder_cycles(tree)


def test_planted_module_cycle_is_caught(plant: Callable[..., Tree]) -> None:
    tree = plant(
        {
            "bot/domain/planted_a.py": "from bot.domain import planted_b\n",
            "bot/domain/planted_b.py": "from . import planted_a\n",
        }
    )
    assert ["bot.domain.planted_a", "bot.domain.planted_b", "bot.domain.planted_a"] in (
        module_cycles(tree)
    )


def test_planted_store_reaching_out_is_caught(plant: Callable[..., Tree]) -> None:
    tree = plant({"store/planted.py": "from bot.notify import compose\n"})
    assert store_reaching_out(tree, _at(tree, "store/planted.py")) == {"bot.notify.compose"}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("bot/monitor/planted.py", "import os\n"),
        ("bot/render/planted.py", "from datetime import datetime\nnow = datetime.now()\n"),
        ("bot/digest/planted.py", "import time\n"),
        ("bot/digest/planted.py", "from apscheduler.triggers.cron import CronTrigger\n"),
        ("bot/digest/planted.py", "from bot.digest.schedule import slot_key\n"),
        ("bot/digest/planted.py", "from datetime import date\ntoday = date.today()\n"),
    ],
)
def test_planted_impurity_is_caught(plant: Callable[..., Tree], name: str, text: str) -> None:
    tree = plant({name: text})
    assert impure(tree, _at(tree, name)) != []


def test_planted_slack_import_outside_the_edge_is_caught(plant: Callable[..., Tree]) -> None:
    tree = plant({"bot/commands/planted.py": "from slack_sdk import WebClient\n"})
    assert slack_outside_the_edge(tree, _at(tree, "bot/commands/planted.py")) == {"slack_sdk"}


@pytest.mark.parametrize(
    "text",
    [
        "from bot.render.blocks import render_message\n",
        "import bot.render.blocks\n",
        "from bot.render import blocks\n",
        "from ..render.blocks import render_message\n",
        "from ..render import blocks\n",
    ],
)
def test_planted_block_kit_outside_the_slack_poster_is_caught(
    plant: Callable[..., Tree], text: str
) -> None:
    tree = plant({"bot/notify/planted.py": text})
    assert block_kit_outside_the_slack_poster(tree, _at(tree, "bot/notify/planted.py")) == {
        BLOCK_KIT
    }


def test_planted_environment_read_is_caught(plant: Callable[..., Tree]) -> None:
    tree = plant({"bot/jobs/planted.py": "import os\nx = os.getenv('X')\n"})
    assert environment_outside_config(tree, _at(tree, "bot/jobs/planted.py")) == ["getenv"]


@pytest.mark.parametrize(
    "text",
    [
        "import sqlite3\n",
        "import sqlite_utils\n",
        "from sqlite_utils.db import Database\n",
        'QUERY = "SELECT id FROM outbox"\n',
    ],
)
def test_planted_database_use_outside_store_is_caught(
    plant: Callable[..., Tree], text: str
) -> None:
    tree = plant({"bot/jobs/planted.py": text})
    assert database_outside_store(tree, _at(tree, "bot/jobs/planted.py")) != []


def test_planted_long_module_is_caught(plant: Callable[..., Tree]) -> None:
    tree = plant({"bot/jobs/planted.py": "x = 1\n" * (MAX_LINES + 1)})
    assert too_long(_at(tree, "bot/jobs/planted.py"))


def test_jobs_only_schedule_the_notification_pipeline() -> None:
    # The tick's stages are declared in bot/notify/pipeline.py; the job only starts one.
    from bot.notify.pipeline import STAGES

    names = [name for name, _ in STAGES]
    assert names == ["evaluate", "announce", "group", "route", "compose", "enqueue"]
    tree = ast.parse((ROOT / "bot" / "jobs" / "alerts.py").read_text(encoding="utf-8"))
    (job,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "evaluate_once"]
    assert job.end_lineno is not None and job.end_lineno - job.lineno + 1 < 20
    alerts = TREE.imports(ROOT / "bot" / "jobs" / "alerts.py")
    assert not {i for i in alerts if i.startswith(("bot.notify.compose", "bot.notify.dispatch"))}


def test_a_posters_abilities_are_asked_of_its_protocol_not_found_by_name() -> None:
    # `can_find`, `resend_safe`, `find` and `mark_resolved` are in bot/notify/poster.py's
    # Poster: the worker never probes a poster (or an error) for an attribute.
    for name in ("deliver.py", "pipeline.py", "dispatch.py", "posters.py"):
        text = (ROOT / "bot" / "notify" / name).read_text(encoding="utf-8")
        assert "getattr(" not in text and "hasattr(" not in text, name


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_no_medium_undoes_another_mediums_escaping(path: Path) -> None:
    # Email renders its own text from the payload's typed alerts, not Slack's escaped text.
    assert "unescape(" not in path.read_text(encoding="utf-8")
