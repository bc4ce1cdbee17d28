"""Every kind of effect a command may ask for has its handler in every front end's table."""

from __future__ import annotations

from dataclasses import fields

from bot.reply import Effect
from bot.services.effects import EFFECT_KINDS, EffectTable
from bot.shell import ASK_EFFECTS, PROMPT_EFFECTS
from bot.slack.listeners.changes import SLACK_EFFECTS


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_every_effect_of_the_commands_is_a_kind_in_the_table() -> None:
    import bot.commands  # noqa: F401  (defines every effect)

    assert _subclasses(Effect) == set(EFFECT_KINDS)
    assert set(EFFECT_KINDS.values()) == {f.name for f in fields(EffectTable)}


def test_each_front_end_has_a_handler_for_every_kind() -> None:
    for table in (SLACK_EFFECTS, ASK_EFFECTS, PROMPT_EFFECTS):
        for kind in EFFECT_KINDS:
            assert table.handler(kind.__new__(kind)) is not None
        assert table.handler(None) is None
