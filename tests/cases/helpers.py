"""Cases on top of tests.worlds: a canary worker whose identity must never reach a business."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from ilm.cases import services
from ilm.cases.models import Case, IssueCategory, Worker
from tests.factories import country
from tests.worlds import World

CANARY_NAME = "Zaw Canary Htet"
CANARY_PHONE = "+66 81 555 0199"
CANARY_HANDLE = "line:canary_zaw"
CANARY_PASSPORT = "MB9988776"


def canary_worker(world: World, **extra: Any) -> Worker:
    return services.worker_create(
        actor=world.members[("cso", "caseworker")],
        full_name=CANARY_NAME,
        identifiers=[("phone", CANARY_PHONE), ("line", CANARY_HANDLE), ("passport", CANARY_PASSPORT)],
        gender="female",
        nationality=country("MM"),
        site=world.sites["supplier"],
        consents=extra.pop("consents", {"contact_for_validation": True, "statistics": True}),
        **extra,
    )


def open_case(world: World, *, worker: Worker | None = None, share: bool = False, summary: str = "") -> Case:
    actor = world.members[("cso", "caseworker")]
    case = services.case_open(
        actor=actor,
        summary=summary or "Passports are held by the employer at the plant.",
        internal_notes=f"Caller {CANARY_NAME} rang from {CANARY_PHONE} at night shift.",
        workers=[worker] if worker else [],
    )
    services.case_add_business(actor=actor, case=case, site=world.sites["supplier"])
    services.issue_add(
        actor=actor,
        case=case,
        category=IssueCategory.objects.get(code="retention_of_documents"),
        workers_affected=12,
        description=f"{CANARY_NAME}'s passport, number {CANARY_PASSPORT}",
        shareable_description="Identity documents are kept by the employer.",
    )
    if share:
        services.case_assess(actor=actor, case=case)
        services.case_share(actor=actor, case=Case.objects.get(pk=case.pk), acknowledge_small_groups=True)
    return Case.objects.get(pk=case.pk)


def validate_and_close(world: World, case: Case, worker: Worker) -> Case:
    actor = world.members[("cso", "caseworker")]
    services.validation_record(
        actor=actor,
        case=case,
        worker=worker,
        method="phone",
        satisfaction=4,
        confirms_remediation=True,
        validated_at=timezone.now() - datetime.timedelta(hours=1),
        comments=f"{CANARY_NAME} says the passport is back",
    )
    return services.case_close(actor=actor, case=Case.objects.get(pk=case.pk), closure="resolved")
