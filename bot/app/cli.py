"""The command line: serve, shell, ask, check-plan, import-plan, export-plan, plan-diff,
plan-schema, import-changes, import-costs, digest, manifest, doctor, healthcheck.

Each a few lines over one library call; its docstring is its --help.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.core.config import ConfigError, load_settings
from bot.planio.planfile import PlanError

__all__ = ["main"]


def _ask(args: argparse.Namespace) -> int:
    """Print one answer as plain text. Exit 0; 2 when the input is wrong; 1 on an internal fault."""
    from bot.shell import ask

    return ask(" ".join(args.text), load_settings())


def _shell(args: argparse.Namespace) -> int:
    """An interactive console: type `tier 2`, `help`, `quit`."""
    from bot.shell import shell

    return shell(load_settings())


def _check_plan(args: argparse.Namespace) -> int:
    """Check a plan (YAML or the Markdown document): each error with its location, then the
    warnings; exit 1 on errors."""
    from bot.shell import check_plan

    return check_plan(args.path, load_settings())


def _import_changes(args: argparse.Namespace) -> int:
    """Add the rows of a change-log file (the template's Markdown table, or CSV) to CAPACITY_DB.

    Every row is checked first; one bad row (reported with its line) writes nothing.
    Rows already in the log are skipped, so importing the same file twice adds nothing.
    """
    from bot.shell import import_changes_file

    return import_changes_file(args.file, load_settings())


def _import_costs(args: argparse.Namespace) -> int:
    """Import a bill into CAPACITY_DB: a FOCUS cost export (CSV, plain or gzip) or a plain
    CSV of date,vendor,amount[,currency,component,note].

    Whole or nothing: one bad line (each reported with its line and why) writes nothing.
    A FOCUS export replaces what earlier imports held for the same billing account and
    billing period; the same plain CSV imported again adds nothing.
    """
    from bot.app.costs import import_costs_file

    return import_costs_file(args.file, load_settings())


def _serve(args: argparse.Namespace) -> int:
    """Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on PORT."""
    from bot.app.serve import serve

    return serve(load_settings(), port=args.port, host=args.host)


def _healthcheck(args: argparse.Namespace) -> int:
    """Exit 0 when the served bot's /healthz answers 200 (Docker's HEALTHCHECK), else 1;
    the port is read as `serve` reads it (PORT, empty or unset = 3000)."""
    from bot.app.healthcheck import healthcheck_from_env

    return healthcheck_from_env()


def _digest(args: argparse.Namespace) -> int:
    """Print the digest of the current slot so far; --chart PATH also writes its PNG chart."""
    from bot.shell import print_digest

    return print_digest(load_settings(), chart=args.chart)


def _import_plan(args: argparse.Namespace) -> int:
    """Read a filled-in copy of the template (Markdown) as a plan and write it as YAML.

    Warnings (texts that stay text triggers) go to stderr. A part that cannot be read is
    an error with its line and what was expected: exit 1 and nothing written.
    """
    from bot.plan_cli import import_plan

    return import_plan(args.doc, args.output)


def _export_plan(args: argparse.Namespace) -> int:
    """Write the plan as the template's document with live figures (totals computed, the
    latest samples, the stored change log), to stdout or -o FILE; import-plan reads it back
    to the same plan."""
    from bot.plan_cli import export_plan

    return export_plan(load_settings(), args.output)


def _plan_diff(args: argparse.Namespace) -> int:
    """Print what changed between two plans (YAML or Markdown), one change a line."""
    from bot.plan_cli import plan_diff_files

    return plan_diff_files(args.old, args.new)


def _plan_schema(args: argparse.Namespace) -> int:
    """Print the plan's JSON Schema, for editors (yaml-language-server)."""
    from bot.plan_cli import plan_schema

    return plan_schema()


def _manifest(args: argparse.Namespace) -> int:
    """Print the Slack app manifest: Socket Mode, or HTTP mode at --url https://HOST."""
    from bot.commands import build_router
    from bot.slack.manifest import ManifestError, render_manifest

    words = [command.usage.split()[0] for command in build_router().commands]
    try:
        sys.stdout.write(render_manifest(words, args.url))
    except ManifestError as exc:
        print(f"capacity-bot: {exc}", file=sys.stderr)
        return 2
    return 0


def _doctor(args: argparse.Namespace) -> int:
    """Check a deployment: token, scopes, alerts channel, mode, plan, database, ingest token,
    alert routes, Prometheus. One line each, ok or the fix; exit 0 when all pass, else 1."""
    from bot.app.doctor import doctor

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"fix  configuration  {exc}")
        return 1
    return doctor(settings)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("capacity-bot")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="capacity-bot", description="Your capacity plan, live in Slack and in a terminal."
    )
    parser.add_argument("--version", action="version", version=f"capacity-bot {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help=_serve.__doc__, description=_serve.__doc__)
    serve.add_argument("--port", type=int, default=None, help="HTTP port (default: $PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default: 0.0.0.0)")
    serve.set_defaults(run=_serve)

    shell = commands.add_parser("shell", help=_shell.__doc__, description=_shell.__doc__)
    shell.set_defaults(run=_shell)

    ask = commands.add_parser("ask", help=_ask.__doc__, description=_ask.__doc__)
    ask.add_argument("text", nargs="+", help='the command, e.g. "tier 2"')
    ask.set_defaults(run=_ask)

    check = commands.add_parser(
        "check-plan", help=_check_plan.__doc__, description=_check_plan.__doc__
    )
    check.add_argument(
        "path",
        nargs="?",
        default=None,
        help="a plan, YAML or .md (default: $CAPACITY_PLAN, else the embedded plan)",
    )
    check.set_defaults(run=_check_plan)

    imp = commands.add_parser(
        "import-changes", help=_import_changes.__doc__, description=_import_changes.__doc__
    )
    imp.add_argument(
        "file", help="a .md file with a | Date | Change | Reason | Impact | table, or .csv"
    )
    imp.set_defaults(run=_import_changes)
    costs = commands.add_parser(
        "import-costs", help=_import_costs.__doc__, description=_import_costs.__doc__
    )
    costs.add_argument("file", help="a FOCUS export (.csv or .csv.gz) or a date,vendor,amount CSV")
    costs.set_defaults(run=_import_costs)
    imp_plan = commands.add_parser(
        "import-plan", help=_import_plan.__doc__, description=_import_plan.__doc__
    )
    imp_plan.add_argument("doc", help="the filled-in template, e.g. capacity-plan.md")
    imp_plan.add_argument(
        "-o", "--output", default=None, metavar="FILE", help="write the YAML here (default: stdout)"
    )
    imp_plan.set_defaults(run=_import_plan)
    exp_plan = commands.add_parser(
        "export-plan", help=_export_plan.__doc__, description=_export_plan.__doc__
    )
    exp_plan.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE",
        help="write the document here (default: stdout)",
    )
    exp_plan.set_defaults(run=_export_plan)
    diff = commands.add_parser("plan-diff", help=_plan_diff.__doc__, description=_plan_diff.__doc__)
    diff.add_argument("old", help="the plan before (YAML or .md)")
    diff.add_argument("new", help="the plan after (YAML or .md)")
    diff.set_defaults(run=_plan_diff)
    schema = commands.add_parser(
        "plan-schema", help=_plan_schema.__doc__, description=_plan_schema.__doc__
    )
    schema.set_defaults(run=_plan_schema)
    digest = commands.add_parser("digest", help=_digest.__doc__, description=_digest.__doc__)
    digest.add_argument(
        "--chart", type=Path, default=None, metavar="PATH", help="write the chart PNG here"
    )
    digest.set_defaults(run=_digest)

    manifest = commands.add_parser(
        "manifest", help=_manifest.__doc__, description=_manifest.__doc__
    )
    manifest.add_argument(
        "--url", default=None, help="HTTP mode: the public https:// address of the bot"
    )
    manifest.set_defaults(run=_manifest)

    health = commands.add_parser(
        "healthcheck", help=_healthcheck.__doc__, description=_healthcheck.__doc__
    )
    health.set_defaults(run=_healthcheck)
    doctor = commands.add_parser("doctor", help=_doctor.__doc__, description=_doctor.__doc__)
    doctor.set_defaults(run=_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    collecting = gc.isenabled()
    if args.run is _serve:
        # Start-up allocates what lives as long as the process: collecting it meanwhile
        # finds nothing and takes a quarter of the start. `serve` turns it back on.
        gc.disable()
    try:
        return int(args.run(args))
    except ConfigError as exc:
        print(f"capacity-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    except PlanError as exc:
        print(f"capacity-bot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `capacity-bot ask help | head` closes the pipe early; that is not an error.
        sys.stderr.close()
        return 0
    finally:
        if collecting:
            gc.enable()
