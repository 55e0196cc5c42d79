"""Fixtures the integration tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local_cloud.demo_data import PEOPLE
from local_cloud.saas_standins import SaasStandIn, vendor_stand_in


@pytest.fixture
def stand_in(request: pytest.FixtureRequest) -> Iterator[SaasStandIn]:
    """The stand-in of the tool given as the parameter (``indirect=True``), holding the
    demonstration people's records, on its own loopback port."""
    running = SaasStandIn(vendor_stand_in(request.param, PEOPLE)).start()
    yield running
    running.stop()
