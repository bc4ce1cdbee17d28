from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.pdserver import PagerDutyReceiver
from tests.support.smtpserver import SmtpServer


@pytest.fixture
async def pagerduty() -> AsyncIterator[PagerDutyReceiver]:
    async with PagerDutyReceiver() as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer("starttls") as server:
        yield server
