"""Action plans on top of tests.worlds: Thailand's country plan and the home supplier's business plan."""

from __future__ import annotations

from typing import Any

from ilm.plans import services
from ilm.plans.models import Plan, PlanRow
from tests.factories import country
from tests.worlds import World

YEAR = 2026


def tp(world: World) -> Any:
    return world.members[("tp", "admin")]


def thai_cap(world: World, *, year: int = YEAR) -> Plan:
    return services.plan_create(
        actor=world.members[("cso", "caseworker")], kind="country", country=country("TH"), year=year
    )


def supplier_bap(world: World, *, year: int = YEAR) -> Plan:
    return services.plan_create(
        actor=world.members[("supplier", "admin")], kind="business", organisation=world.orgs["supplier"], year=year
    )


def add_row(world: World, plan: Plan, *, actor: Any = None, **values: Any) -> PlanRow:
    values.setdefault("activities", "ER 2.6-7")
    values.setdefault("description", "Recruitment fee survey, then repayment")
    values.setdefault("remarks", "aim for completion by Q2")
    values.setdefault("due_quarter", f"{YEAR}-Q2")
    return services.plan_row_add(actor=actor or tp(world), plan=plan, **values)
