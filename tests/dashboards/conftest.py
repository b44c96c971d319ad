from __future__ import annotations

from typing import Any

import pytest

from tests.cases.helpers import canary_worker, open_case
from tests.worlds import build_world


@pytest.fixture
def world() -> Any:
    """The small world with three cases the CSO opened at the home supplier's plant (one issue each: retention of
    documents, a forced-labour indicator), two of them shared; the canary worker (from Myanmar) is on all three.
    A module may define its own `world` (test_reports.py closes one)."""
    world = build_world()
    worker = canary_worker(world)
    open_case(world, worker=worker)
    open_case(world, worker=worker, share=True)
    open_case(world, worker=worker, share=True)
    return world
