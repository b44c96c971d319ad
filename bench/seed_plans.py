"""Seed progress indicators (issue 5) on top of the network seed (bench/seed.py), with bulk inserts.

`services.indicator_set` audits every change: far too slow here, so rows are built with every field and
inserted with bulk_create, the history rows straight into `IndicatorValue.history.model`.

Shape (deterministic, random.Random(SEED)):
- every supplier in the chain of the benchmark buyer "big" (300 suppliers, 3 tiers of confirmed supply and
  upstream links, so `network_scope` really includes them) has the 13 IndicatorValues; their countries
  (1-2 each) and industries come from the network seed;
- each value has 6-12 history records spread over the last 3 years ('+' first, then '~'), statuses
  moving mostly forward, the last record matching the current value;
- about a third of the suppliers have 1-2 open IndicatorSuggestions, some more accepted or dismissed;
- a second buyer "half" with confirmed supply links to 150 of those suppliers, chosen so that their
  upstream links stay inside the 150: its chain is exactly half of "big"'s (for the constant-queries check).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

SEED = 20261126
HISTORY = (6, 12)  # history records per value
YEARS = 3
HALF = 150
STATUS_ORDER = ["not_initiated", "partial", "completed"]
EVIDENCE = [
    "Policy drafted; awaiting management sign-off.",
    "Grievance hotline posters in Burmese and Khmer at every site.",
    "Training of line supervisors held, attendance sheet attached.",
    "Recruitment fee survey of 120 workers, summary shared with buyers.",
    "MSA with the origin agency reviewed: zero-fee clause added.",
    "Worker satisfaction survey, second round.",
    "",
]


@dataclass
class SeededPlans:
    buyers: dict[str, Any] = field(default_factory=dict)  # "big", "half" -> Organisation
    chains: dict[str, set[int]] = field(default_factory=dict)  # supplier ids in each chain
    counts: dict[str, int] = field(default_factory=dict)
    supplier: int = 0  # a supplier with history and an open suggestion (the detail page)


def _closed_half(chain: set[int], size: int) -> set[int]:
    """`size` suppliers of the chain whose confirmed upstream providers are all among them."""
    from ilm.network.models import Link

    providers: dict[int, set[int]] = defaultdict(set)
    for customer, provider in Link.objects.filter(
        kind="upstream", status="confirmed", customer_id__in=chain, provider_id__in=chain
    ).values_list("customer_id", "provider_id"):
        providers[customer].add(provider)

    def closure(pk: int) -> set[int]:
        seen, todo = {pk}, [pk]
        while todo:
            for nxt in providers[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        return seen

    chosen: set[int] = set()
    for pk in sorted(chain, key=lambda pk: (len(closure(pk)), pk)):
        extra = closure(pk) - chosen
        if len(chosen) + len(extra) <= size:
            chosen |= extra
        if len(chosen) == size:
            break
    return chosen


def seed_plans(seeded: Any) -> SeededPlans:
    from bench.seed_cases import explicit_timestamps
    from ilm.accounts.models import Membership, User
    from ilm.network.models import Link, Organisation
    from ilm.network.selectors import chain_supplier_ids
    from ilm.plans.models import IndicatorSuggestion, IndicatorValue, ProgressIndicator

    rng = random.Random(SEED)
    now = timezone.now()
    out = SeededPlans()
    big = seeded.buyers["big"]
    chain = set(seeded.chains["big"])
    codes = list(ProgressIndicator.values)

    # Who set the values: the supplier's own member where the network seed made one, else a technical partner's.
    partner = Organisation.objects.filter(kind="technical_partner").get()
    user = User.objects.create_user(username="bench-plans-tp", email="bench-plans-tp@bench.invalid", password=None)
    tp_member = Membership.objects.create(user=user, organisation=partner, role="admin")
    own_member = dict(
        Membership.objects.filter(organisation_id__in=chain).order_by("id").values_list("organisation_id", "id")
    )

    values: list[IndicatorValue] = []
    histories: list[list[tuple[datetime.datetime, str, str, int | None]]] = []
    span = datetime.timedelta(days=365 * YEARS)
    for org_id in sorted(chain):
        setters = [pk for pk in (own_member.get(org_id), tp_member.pk) if pk]
        for code in codes:
            n = rng.randint(*HISTORY)
            moments = sorted(
                now - span + datetime.timedelta(seconds=rng.uniform(0, span.total_seconds())) for _ in range(n)
            )
            level = 0
            records: list[tuple[datetime.datetime, str, str, int | None]] = []
            for when in moments:
                step = rng.random()
                level = min(2, level + 1) if step < 0.3 else (max(0, level - 1) if step < 0.4 else level)
                records.append((when, STATUS_ORDER[level], rng.choice(EVIDENCE), rng.choice(setters)))
            last = records[-1]
            values.append(
                IndicatorValue(
                    organisation_id=org_id,
                    indicator=code,
                    status=last[1],
                    evidence=last[2],
                    set_by_id=last[3],
                    set_at=last[0],
                    version=n,
                    created_at=records[0][0],
                    updated_at=last[0],
                )
            )
            histories.append(records)
    historical = IndicatorValue.history.model
    with explicit_timestamps(IndicatorValue, IndicatorSuggestion):
        IndicatorValue.objects.bulk_create(values, batch_size=5000)
        history_rows = [
            historical(
                id=value.pk,
                organisation_id=value.organisation_id,
                indicator=value.indicator,
                status=status,
                evidence=evidence,
                set_by_id=setter,
                set_at=when,
                version=version,
                created_at=records[0][0],
                updated_at=when,
                history_date=when,
                history_type="+" if version == 1 else "~",
                history_change_reason=None,
                history_user_id=None,
            )
            for value, records in zip(values, histories, strict=True)
            for version, (when, status, evidence, setter) in enumerate(records, 1)
        ]
        historical.objects.bulk_create(history_rows, batch_size=5000)

        suggestions: list[IndicatorSuggestion] = []
        for org_id in sorted(chain):
            if rng.random() < 0.35:
                for code in rng.sample(codes, rng.randint(1, 2)):
                    suggestions.append(
                        IndicatorSuggestion(
                            organisation_id=org_id,
                            indicator=code,
                            suggested_status="partial",
                            reason="Completed training 2.8 (ethical recruitment) on record.",
                            created_at=now - datetime.timedelta(days=rng.randint(1, 60)),
                        )
                    )
            if rng.random() < 0.3:
                decided = now - datetime.timedelta(days=rng.randint(61, 900))
                suggestions.append(
                    IndicatorSuggestion(
                        organisation_id=org_id,
                        indicator=rng.choice(codes),
                        suggested_status="completed",
                        reason="Completed training 3.8 (management) on record.",
                        status=rng.choice(["accepted", "dismissed"]),
                        decided_by_id=tp_member.pk,
                        decided_at=decided,
                        created_at=decided - datetime.timedelta(days=3),
                    )
                )
        IndicatorSuggestion.objects.bulk_create(suggestions, batch_size=5000)

    # The "half" buyer: 150 of the big chain's suppliers, closed under their upstream links.
    half = _closed_half(chain, HALF)
    buyer = Organisation.objects.create(name="Bench Buyer half (plans)", kind="buyer", subkind="brand")
    buyer.countries.through.objects.create(organisation_id=buyer.pk, country_id="TH")
    Link.objects.bulk_create(
        [
            Link(
                kind="supply",
                customer_id=buyer.pk,
                provider_id=pk,
                tier=1,
                status="confirmed",
                proposed_by_id=buyer.pk,
                confirmed_at=now,
            )
            for pk in sorted(half)
        ]
    )
    out.buyers = {"big": big, "half": buyer}
    out.chains = {"big": chain_supplier_ids(big.pk), "half": chain_supplier_ids(buyer.pk)}
    open_orgs = sorted({s.organisation_id for s in suggestions if s.status == "open"} & half)
    out.supplier = open_orgs[0] if open_orgs else min(half)
    out.counts = {
        "indicator values": len(values),
        "history rows": len(history_rows),
        "suggestions": len(suggestions),
        "open suggestions": sum(1 for s in suggestions if s.status == "open"),
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return out
