"""Units are pluralised as English does where the document gives no plural."""

from __future__ import annotations

import pytest

from bot.domain.words import plural
from bot.planio.planfile import default_plan


@pytest.mark.parametrize(
    ("noun", "many"),
    [
        ("company", "companies"),
        ("class", "classes"),
        ("person", "people"),
        ("index", "indices"),
        ("analysis", "analyses"),
        ("user", "users"),
        ("instructor", "instructors"),
        ("workspace", "workspaces"),
        ("key", "keys"),
        ("box", "boxes"),
        ("church", "churches"),
        ("tenant", "tenants"),
        ("series", "series"),
        ("child", "children"),
        ("basis", "bases"),
        ("paying company", "paying companies"),
        ("Company", "Companies"),
        ("Person", "People"),
    ],
)
def test_english_plurals(noun: str, many: str) -> None:
    assert plural(noun) == many


def test_the_documents_plural_wins_and_english_fills_in() -> None:
    plan = default_plan()
    pricing = plan.pricing.model_copy(update={"customer": "company", "customers": ""})
    assert pricing.plural == "companies"
    stated = plan.pricing.model_copy(update={"customer": "company", "customers": "firms"})
    assert stated.plural == "firms"
    grown = plan.model_copy(update={"growth_unit": "class", "growth_units": ""})
    assert grown.unit_plural == "classes"
