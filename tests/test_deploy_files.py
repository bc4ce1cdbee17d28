"""Dockerfile, compose.yaml, .env.example, constraints.txt and LICENSE against the code:
the CLI, the routes, the variables config.py reads and the dependencies pyproject lists.
(No Docker engine here: what can be checked without one is checked.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from bot.app.web import build_web_app
from bot.core.config import _VARIABLES, Settings
from bot.deps import build_deps
from store import Store
from tests.test_dockerfile import instructions

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def name_of(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#", "-")):
            name, _, version = line.partition("==")
            found[name_of(name)] = version.strip()
    return found


def dockerfile_lines() -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def test_constraints_pin_every_runtime_dependency_and_the_chart_extra() -> None:
    pinned = pins()
    wanted = PROJECT["dependencies"] + PROJECT["optional-dependencies"]["chart"]
    for requirement in wanted:
        assert re.fullmatch(r"\d+(\.\d+)*", pinned.get(name_of(requirement), "")), requirement
    # Refreshed by the one command in its header (and the README).
    header = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    assert "pip-compile --extra=chart" in header and "pyproject.toml" in header
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip-compile --extra=chart" in readme


def test_ci_and_the_image_install_with_the_constraints() -> None:
    assert "-c constraints.txt" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = dockerfile_lines()
    deps = next(i for i, line in enumerate(lines) if "-c constraints.txt" in line)
    code = next(i for i, line in enumerate(lines) if line.startswith("COPY bot"))
    package = next(i for i, line in enumerate(lines) if "pip install --no-deps ." in line)
    # Dependencies are a layer of their own, built before any code is copied in.
    assert deps < code < package
    assert all("COPY bot" not in line and "COPY store" not in line for line in lines[:deps])


@pytest.mark.parametrize(("extras", "extra_deps"), [("", []), ("chart", ["matplotlib"])])
def test_the_images_dependency_list_is_pyprojects(extras: str, extra_deps: list[str]) -> None:
    run = next(line for line in dockerfile_lines() if "-c constraints.txt" in line)
    script = re.search(r'python -c "(.*?)"\s*>', run)
    assert script is not None
    out = subprocess.run(
        [sys.executable, "-c", script.group(1)],
        cwd=ROOT,
        env={**os.environ, "EXTRAS": extras},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    listed = [name_of(line) for line in out.splitlines()]
    assert listed == [name_of(d) for d in PROJECT["dependencies"]] + extra_deps


def test_what_the_image_copies_exists_and_is_not_dockerignored() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for line in dockerfile_lines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
                assert source not in ignored, source


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_keeps_the_database_on_a_volume_and_checks_health() -> None:
    spec = compose()
    (service,) = spec["services"].values()
    (mount,) = service["volumes"]
    volume, _, target = mount.partition(":")
    assert volume in spec["volumes"] and target == "/data"
    assert service["environment"]["CAPACITY_DB"].startswith(target + "/")
    assert target in instructions()["VOLUME"]
    assert service["env_file"] == ".env"
    assert service["build"]["args"]["EXTRAS"] in ("", "chart")
    (port,) = service["ports"]
    assert port.split(":")[-1] in instructions()["EXPOSE"]
    assert service["healthcheck"]["test"] == ["CMD", "capacity-bot", "healthcheck"]
    app = build_web_app(build_deps(Settings(), store=Store()), None)
    routes = {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource}
    assert ("GET", "/healthz") in routes and ("GET", "/metrics") in routes


def env_example() -> list[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.M)


def test_env_example_lists_exactly_the_variables_config_reads() -> None:
    listed = env_example()
    assert len(listed) == len(set(listed))
    assert set(listed) == set(_VARIABLES)


def test_readme_documents_every_variable_config_reads() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for variable in _VARIABLES:
        assert f"`{variable}`" in readme or f"| {variable} |" in readme, variable


def test_license_matches_pyproject() -> None:
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text
