"""manifest.yml: valid for Slack, and declaring exactly what the code uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from bot.commands import build_router

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"

# Web API methods the bot may call (as AsyncWebClient method names) -> the bot scope each
# needs (None: no scope). A method missing here fails the test: add it with its scope.
METHOD_SCOPES: dict[str, str | tuple[str, ...] | None] = {
    "auth_test": None,
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
    "conversations_info": "channels:read",
    # The outbox reconciles in the alerts channel, public or private (bot/notify/slack.py).
    "conversations_history": ("channels:history", "groups:history"),
    "conversations_replies": ("channels:history", "groups:history"),
    "conversations_join": "channels:join",
    "users_info": "users:read",
    "reactions_add": "reactions:write",
}
_CALL = re.compile(
    r"\.(auth_\w+|chat_\w+|views_\w+|files_\w+|conversations_\w+|users_\w+|reactions_\w+)\("
)
_EVENT = re.compile(r"\.event\(\s*[\"'](\w+)[\"']")
_COMMAND = re.compile(r"\.command\(\s*[\"'](/[\w-]+)[\"']")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


def source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "bot").rglob("*.py")))


def test_manifest_is_valid_for_slack(manifest: dict) -> None:
    schema = json.loads((DATA / "manifest.schema.1.0.0.json").read_text(encoding="utf-8"))
    errors = [e.message for e in Draft7Validator(schema).iter_errors(manifest)]
    assert errors == []


def test_usage_hint_and_readme_mention_every_command(manifest: dict) -> None:
    (slash,) = manifest["features"]["slash_commands"]
    hint = slash["usage_hint"]
    # A pipe inside a Markdown table cell is written `\|`.
    readme = (ROOT / "README.md").read_text(encoding="utf-8").replace("\\|", "|")
    for command in build_router().commands:
        assert re.search(rf"(^|\| ){re.escape(command.usage)}( \||$)", hint), command.usage
        assert f"`{command.usage}`" in readme, command.usage


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
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed


def test_declared_events_are_exactly_those_the_code_listens_to(manifest: dict) -> None:
    declared = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert declared == set(_EVENT.findall(source()))


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
