"""The app manifest (`capacity-bot manifest`, and manifest.yml): valid for Slack, declaring
exactly what the code uses, in Socket Mode and in HTTP mode."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from bot.app.cli import main
from bot.commands import build_router
from bot.slack.manifest import BOT_EVENTS, BOT_SCOPES, build_manifest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"

# Web API methods the bot may call (as AsyncWebClient method names) -> the bot scope each
# needs (None: no scope). A method missing here fails the test: add it with its scope.
METHOD_SCOPES: dict[str, str | tuple[str, ...] | None] = {
    "auth_test": None,
    "apps_connections_open": None,  # the app-level token's, no bot scope
    "views_publish": None,
    "views_open": None,
    "views_update": None,
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "chat_delete": "chat:write",
    "chat_getPermalink": None,
    "files_upload_v2": "files:write",
    "files_getUploadURLExternal": "files:write",
    "files_completeUploadExternal": "files:write",
    # Public channels, private channels.
    "conversations_info": ("channels:read", "groups:read"),
    # The outbox reconciles in the alerts channel, public or private (bot/notify/slack.py).
    "conversations_history": ("channels:history", "groups:history"),
    "conversations_replies": ("channels:history", "groups:history"),
    "conversations_join": "channels:join",
    "users_info": "users:read",
    "reactions_add": "reactions:write",
}
_CALL = re.compile(
    r"\.(auth_\w+|chat_\w+|views_\w+|files_\w+|conversations_\w+|users_\w+|reactions_\w+|apps_\w+)\("
)
_EVENT = re.compile(r"\.event\(\s*[\"'](\w+)[\"']")
_COMMAND = re.compile(r"\.command\(\s*[\"'](/[\w-]+)[\"']")


HOST = "https://capacity.example.com"


def words() -> list[str]:
    return [command.usage.split()[0] for command in build_router().commands]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


def printed(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["manifest", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "bot").rglob("*.py")))


def slack_schema_errors(manifest: dict) -> list[str]:
    schema = json.loads((DATA / "manifest.schema.1.0.0.json").read_text(encoding="utf-8"))
    return [e.message for e in Draft7Validator(schema).iter_errors(manifest)]


def test_manifest_yml_is_what_the_manifest_command_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = printed(capsys)
    assert code == 0
    # Regenerate with `capacity-bot manifest > manifest.yml`.
    assert (ROOT / "manifest.yml").read_text(encoding="utf-8") == out


def test_socket_mode_manifest_is_valid_for_slack(manifest: dict) -> None:
    assert slack_schema_errors(manifest) == []
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert "request_url" not in manifest["settings"]["event_subscriptions"]


def test_http_manifest_points_everything_at_the_events_route(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = printed(capsys, "--url", HOST + "/")
    assert code == 0
    http = yaml.safe_load(out)
    assert slack_schema_errors(http) == []
    assert http["settings"]["socket_mode_enabled"] is False
    endpoint = f"{HOST}/slack/events"
    (slash,) = http["features"]["slash_commands"]
    assert slash["url"] == endpoint
    assert http["settings"]["event_subscriptions"]["request_url"] == endpoint
    assert http["settings"]["interactivity"]["request_url"] == endpoint
    # Only the transport differs between the two modes.
    socket = build_manifest(words())
    assert http["oauth_config"] == socket["oauth_config"]
    assert http["features"]["app_home"] == socket["features"]["app_home"]


def test_http_manifest_given_the_full_events_url_does_not_double_it() -> None:
    http = build_manifest(words(), f"{HOST}/bot/slack/events")
    assert http["settings"]["interactivity"]["request_url"] == f"{HOST}/bot/slack/events"


@pytest.mark.parametrize("url", ["http://capacity.example.com", "capacity.example.com", ""])
def test_manifest_refuses_a_url_slack_cannot_call(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code, out, err = printed(capsys, "--url", url)
    assert code == 2 and out == ""
    assert "--url must be the https:// address" in err


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"capacity-bot {version('capacity-bot')}"


def test_usage_hint_and_readme_mention_every_command(manifest: dict) -> None:
    (slash,) = manifest["features"]["slash_commands"]
    hint = slash["usage_hint"].split(" | ")
    # A pipe inside a Markdown table cell is written `\|`.
    readme = (ROOT / "README.md").read_text(encoding="utf-8").replace("\\|", "|")
    for command in build_router().commands:
        assert command.usage.split()[0] in hint, command.usage
        assert f"`{command.usage}`" in readme, command.usage
    # Short enough to read in Slack's autocomplete: the words, not the whole grammar.
    assert len(slash["usage_hint"]) <= 200


def test_declared_commands_are_the_registered_ones(manifest: dict) -> None:
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert declared == set(_COMMAND.findall(source()))


def test_declared_bot_scopes_are_exactly_those_the_code_needs(manifest: dict) -> None:
    code = source()
    methods = set(_CALL.findall(code))
    unknown = methods - set(METHOD_SCOPES)
    assert not unknown, f"map these Web API methods to scopes in METHOD_SCOPES: {unknown}"
    needed: set[str] = set()
    for method in methods:
        scopes = METHOD_SCOPES[method]
        needed.update((scopes,) if isinstance(scopes, str) else scopes or ())
    if _COMMAND.search(code):
        needed.add("commands")
    assert set(BOT_SCOPES) == needed
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)


def test_declared_events_are_exactly_those_the_code_listens_to(manifest: dict) -> None:
    declared = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert declared == set(BOT_EVENTS) == set(_EVENT.findall(source()))


def test_app_surfaces_match_the_listeners(manifest: dict) -> None:
    code = source()
    assert manifest["features"]["app_home"]["home_tab_enabled"] == ("views_publish(" in code)
    assert manifest["settings"]["interactivity"]["is_enabled"] == (".action(" in code)
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_the_bots_dms_are_visible_in_a_read_only_messages_tab(manifest: dict) -> None:
    # The change log confirms by DM when the channel refuses, and tells the author by DM
    # when a confirmation could not be shown: without the Messages tab nobody sees those.
    home = manifest["features"]["app_home"]
    assert home["messages_tab_enabled"] is True
    # Nothing listens to direct messages, so people are not invited to write there.
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert "message.im" not in events
    assert home["messages_tab_read_only_enabled"] is True
