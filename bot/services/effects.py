"""The one table of effects: what a command may ask a front end to do besides showing its
reply. Every front end fills an `EffectTable` with its own handler for each kind (the type
checker refuses a table that leaves one out) and looks an effect up with `handler`, so no
front end tests effects one type after another, and a new kind of effect is a new field
each front end must answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.commands.changes import ExportChanges, OpenChangeModal, PostConfirmation
from bot.commands.plan_doc import ExportPlan, ReloadPlan
from bot.commands.plan_sections import SectionFile
from bot.reply import Effect

__all__ = ["EFFECT_KINDS", "EffectTable"]

H = TypeVar("H")

# Each kind of effect, and the field of `EffectTable` that handles it.
EFFECT_KINDS: dict[type[Effect], str] = {
    OpenChangeModal: "open_change_form",
    ExportChanges: "export_changes",
    PostConfirmation: "post_confirmation",
    ExportPlan: "export_plan",
    ReloadPlan: "reload_plan",
    SectionFile: "section_file",
}


@dataclass(frozen=True)
class EffectTable(Generic[H]):
    """A front end's handler for every kind of effect."""

    open_change_form: H
    export_changes: H
    post_confirmation: H
    export_plan: H
    reload_plan: H
    section_file: H

    def handler(self, effect: Effect | None) -> H | None:
        """The handler for `effect` (None for no effect)."""
        if effect is None:
            return None
        handlers: dict[str, H] = {
            "open_change_form": self.open_change_form,
            "export_changes": self.export_changes,
            "post_confirmation": self.post_confirmation,
            "export_plan": self.export_plan,
            "reload_plan": self.reload_plan,
            "section_file": self.section_file,
        }
        return handlers[EFFECT_KINDS[type(effect)]]
