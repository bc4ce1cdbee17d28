"""The layer picture of DESIGN.md and docs/ARCHITECTURE.md, checked by walking every import.

`LAYERS` is the one list: each entry is a rank and the modules (path prefixes) in it. A
module may import its own unit (same prefix) and anything of a lower rank, nothing of its
own rank or above. On top of that: no import cycles, the store depends on the domain only,
the pure layers do no I/O, only the Slack edge imports Slack's libraries, only config reads
the environment, and all SQL lives in store/.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(p for d in ("bot", "store") for p in (ROOT / d).rglob("*.py"))

# rank, unit prefixes (a unit imports itself freely). Lowest first.
LAYERS: tuple[tuple[int, tuple[str, ...]], ...] = (
    # the bottom: plain values, and plumbing that imports nothing of ours but itself
    (0, ("bot/domain/", "bot/core/", "bot/__init__.py")),
    (1, ("store/", "bot/monitor/", "bot/reply.py")),
    (2, ("bot/render/", "bot/digest/", "bot/planio/", "bot/context.py")),
    (3, ("bot/commands/", "bot/notify/")),
    (4, ("bot/deps.py", "bot/doctor/")),
    # what every front end and job may do to the shared Deps: swap in a reloaded plan
    (5, ("bot/reload.py",)),
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
# Only these may talk to Slack; everything else goes through them.
SLACK_ALLOWED = ("bot/slack/", "bot/notify/slack.py")
MAX_LINES = 400


def _module(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _dotted(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_dotted(p): p for p in SOURCES}


@cache
def _imports(path: Path) -> frozenset[str]:
    """Every absolute import, as the module it names (`from a import b` is `a.b` when b is
    a module of ours, else `a`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
    return frozenset(found)


def _ours(name: str) -> bool:
    return name.split(".")[0] in ("bot", "store")


def _unit(module: str) -> tuple[int, str] | None:
    """The rank and unit of `module`: the longest matching prefix wins."""
    units = sorted(
        ((rank, prefix) for rank, prefixes in LAYERS for prefix in prefixes),
        key=lambda unit: -len(unit[1]),
    )
    for rank, prefix in units:
        if module == prefix or (prefix.endswith("/") and module.startswith(prefix)):
            return rank, prefix
    return None


def _path_of(name: str) -> str | None:
    path = MODULES.get(name)
    return _module(path) if path is not None else None


def test_every_module_has_a_place_in_the_layers() -> None:
    assert [_module(p) for p in SOURCES if _unit(_module(p)) is None] == []


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_imports_point_down_the_layers(path: Path) -> None:
    module = _module(path)
    here = _unit(module)
    assert here is not None
    upward = []
    for name in sorted(_imports(path)):
        target = _path_of(name) if _ours(name) else None
        if target is None:
            continue
        there = _unit(target)
        assert there is not None, target
        if there[1] != here[1] and there[0] >= here[0]:
            upward.append(f"{name} (rank {there[0]})")
    assert upward == [], f"{module} (rank {here[0]}) imports sideways or upward"


MAX_LOOSE = 6


def _top_unit(module: str) -> str:
    """The folder a module lives in right under bot/ (or store/), or the loose module itself."""
    parts = module.split("/")
    return module if len(parts) == 2 else "/".join(parts[:2]) + "/"


def test_layers_rank_folders_and_loose_modules_only() -> None:
    # A file ranked apart from its folder lets the folder depend on what depends back on it.
    prefixes = [prefix for _, unit in LAYERS for prefix in unit]
    assert [p for p in prefixes if _top_unit(p.rstrip("/")) != p and _top_unit(p) != p] == []


def test_few_modules_loose_in_bot() -> None:
    loose = [p.name for p in (ROOT / "bot").glob("*.py")]
    assert len(set(loose) - {"__init__.py", "__main__.py"}) <= MAX_LOOSE, sorted(loose)


def _unit_arrows(paths: list[Path]) -> set[tuple[str, str]]:
    arrows = set()
    for path in paths:
        here = _top_unit(_module(path))
        for name in _imports(path):
            target = _path_of(name) if _ours(name) else None
            if target is not None and _top_unit(target) != here:
                arrows.add((here, _top_unit(target)))
    return arrows


def _unit_cycles(arrows: set[tuple[str, str]]) -> list[list[str]]:
    """Every unit from which a path of arrows leads back to it, with the path."""
    graph: dict[str, set[str]] = {}
    for a, b in arrows:
        graph.setdefault(a, set()).add(b)
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


def test_no_folder_depends_on_a_folder_that_depends_back() -> None:
    assert _unit_cycles(_unit_arrows(SOURCES)) == []


def test_no_import_cycles() -> None:
    graph = {
        name: sorted(i for i in _imports(path) if i in MODULES and i != name)
        for name, path in MODULES.items()
    }
    state: dict[str, int] = {}  # 1 visiting, 2 done
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize(
    "path", [p for p in SOURCES if _module(p).startswith("store/")], ids=_module
)
def test_the_store_depends_on_the_domain_only(path: Path) -> None:
    bad = {i for i in _imports(path) if _ours(i) and not i.startswith(STORE_MAY_IMPORT)}
    assert bad == set()


@pytest.mark.parametrize("path", [p for p in SOURCES if _module(p).startswith(PURE)], ids=_module)
def test_pure_layers_do_no_io(path: Path) -> None:
    io = {i for i in _imports(path) if i.split(".")[0] in IO_MODULES}
    assert io == set()
    text = path.read_text(encoding="utf-8")
    assert re.findall(r"\bopen\(|datetime\.now\(|\.today\(\)", text) == []


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_only_the_slack_edge_imports_slack(path: Path) -> None:
    module = _module(path)
    slack = {i for i in _imports(path) if i.split(".")[0] in ("slack_bolt", "slack_sdk")}
    if not module.startswith(SLACK_ALLOWED):
        assert slack == set()


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_environment_read_only_in_config(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if _module(path) != "bot/core/config.py":
        assert "os.environ" not in text and "getenv" not in text


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_sql_lives_in_store(path: Path) -> None:
    if _module(path).startswith("store/"):
        return
    assert "sqlite3" not in _imports(path)
    # SQL is written in capitals throughout store/; prose such as "select a tier" is not SQL.
    text = path.read_text(encoding="utf-8")
    statements = re.findall(
        r"\bSELECT\b[^\n]*\bFROM\b|\bINSERT\s+(?:OR\s+\w+\s+)?INTO\b|\bCREATE\s+TABLE\b|"
        r"\bDELETE\s+FROM\b|\bUPDATE\s+\w+\s+SET\b",
        text,
    )
    assert statements == []


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_no_module_is_over_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


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
    assert not any(i.startswith("bot.render") for i in _imports(deliver))


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_money_is_written_by_the_one_formatter(path: Path) -> None:
    # `-$5` and `$81.60` everywhere: bot.domain.values.fmt_value / bot.domain.money.fmt_money.
    if _module(path).startswith("bot/domain/"):
        return
    text = path.read_text(encoding="utf-8")
    assert re.findall(r'f"-?\$\{|"\$" \+', text) == []
