from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.fakeslack import FakeSlack
from tests.routes.pdserver import PagerDutyReceiver
from tests.routes.smtpserver import SmtpServer


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def pagerduty() -> AsyncIterator[PagerDutyReceiver]:
    async with PagerDutyReceiver() as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer("starttls") as server:
        yield server
