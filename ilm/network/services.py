"""The one write path for the network (STYLE.md habit 1): validate, write, audit, in one transaction.

Every function takes the acting membership as `actor`; views, the API, the importer,
the demo and tests all call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ilm.core import audit
from ilm.core.permissions import PARTNER_KINDS, Action, OrgKind, can
from ilm.core.versioning import apply_changes, bump, lock
from ilm.network.models import (
    Channel,
    Collaboration,
    Country,
    HeadcountSnapshot,
    Industry,
    Link,
    LinkStatus,
    Organisation,
    Site,
)
from ilm.network.permissions import allowed


def _require(rule: str, actor: Any, obj: Any = None) -> None:
    if not allowed(rule, actor, obj):
        raise PermissionDenied(_("Your role does not allow this."))


def _full_clean(obj: Any, exclude: Sequence[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude), validate_constraints=True)


# --- organisations ---------------------------------------------------------------

ORGANISATION_FIELDS = ("name", "subkind", "website", "description")


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    subkind: str = "",
    countries: Iterable[Country] = (),
    industries: Iterable[Industry] = (),
    website: str = "",
    description: str = "",
) -> Organisation:
    _require("create_organisation", actor)
    organisation = Organisation(name=name.strip(), kind=kind, subkind=subkind, website=website, description=description)
    _full_clean(organisation)
    organisation.save()
    organisation.countries.set(list(countries))
    organisation.industries.set(list(industries))
    audit.record("organisation.created", membership=actor, obj=organisation, detail={"kind": kind})
    return organisation


@transaction.atomic
def organisation_update(
    *,
    actor: Any,
    organisation: Organisation,
    expected_version: int | None = None,
    countries: Iterable[Country] | None = None,
    industries: Iterable[Industry] | None = None,
    is_active: bool | None = None,
    **changes: Any,
) -> Organisation:
    _require("change_organisation", actor, organisation)
    organisation = lock(Organisation, organisation.pk, expected_version)
    manages_all = can(actor, Action.CHANGE_ANY_ORGANISATION)
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip()
        if changes["name"] != organisation.name and not manages_all:
            # Names identify organisations across the network (imports, links): the technical partner renames.
            raise PermissionDenied(_("Ask the technical partner to change your organisation's name."))
    if countries is not None and organisation.kind in PARTNER_KINDS and not manages_all:
        current = set(organisation.countries.values_list("pk", flat=True))
        if {country.pk for country in countries} != current:
            # A CSO's countries decide which businesses it sees: the technical partner sets them.
            raise PermissionDenied(_("Ask the technical partner to change your countries of operation."))
    changed = apply_changes(organisation, changes, ORGANISATION_FIELDS)
    if is_active is not None and is_active != organisation.is_active:
        _require("create_organisation", actor)  # only the technical partner (de)activates
        organisation.is_active = is_active
        changed.append("is_active")
    _full_clean(organisation)
    for name, values in (("countries", countries), ("industries", industries)):
        if values is not None:
            new = {obj.pk for obj in values}
            if new != set(getattr(organisation, name).values_list("pk", flat=True)):
                getattr(organisation, name).set(list(new))
                changed.append(name)
    if changed:
        bump(organisation)
        organisation.save()
        audit.record("organisation.changed", membership=actor, obj=organisation, detail={"fields": changed})
    return organisation


# --- sites and headcounts --------------------------------------------------------

MAX_HEADCOUNT = 1_000_000
SITE_FIELDS = ("name", "site_type", "country", "province", "address", "is_active")


@transaction.atomic
def site_create(
    *,
    actor: Any,
    supplier: Organisation,
    name: str,
    site_type: str,
    country: Country,
    province: str = "",
    address: str = "",
) -> Site:
    _require("change_site", actor, supplier)
    if supplier.kind != OrgKind.SUPPLIER:
        raise ValidationError({"supplier": _("Sites belong to suppliers.")})
    site = Site(
        supplier=supplier,
        name=name.strip(),
        site_type=site_type,
        country=country,
        province=province.strip(),
        address=address.strip(),
    )
    _full_clean(site)
    site.save()
    audit.record("site.created", membership=actor, obj=site)
    return site


@transaction.atomic
def site_update(*, actor: Any, site: Site, expected_version: int | None = None, **changes: Any) -> Site:
    _require("change_site", actor, site)
    site = lock(Site, site.pk, expected_version)
    changed = apply_changes(site, changes, SITE_FIELDS)
    _full_clean(site)
    if changed:
        bump(site)
        site.save()
        audit.record("site.changed", membership=actor, obj=site, detail={"fields": changed})
    return site


@transaction.atomic
def headcount_record(
    *,
    actor: Any,
    site: Site,
    as_of: datetime.date,
    cells: Sequence[tuple[str, Country, int]],
) -> list[HeadcountSnapshot]:
    """Record the headcount of a site on a date, replacing any earlier record for that date."""
    _require("change_site", actor, site)
    errors: list[str] = []
    if as_of > timezone.localdate():
        errors.append(_("The headcount date is in the future."))
    if not cells:
        errors.append(_("Enter at least one headcount."))
    seen: set[tuple[str, str]] = set()
    rows = []
    for gender, nationality, count in cells:
        key = (gender, nationality.pk)
        if key in seen:
            errors.append(_("The same gender and nationality appear twice."))
        seen.add(key)
        if count is None or int(count) < 0:
            errors.append(_("A headcount cannot be negative."))
        elif int(count) > MAX_HEADCOUNT:
            errors.append(_("A headcount cannot be more than %(max)s.") % {"max": f"{MAX_HEADCOUNT:,}"})
        row = HeadcountSnapshot(site=site, as_of=as_of, gender=gender, nationality=nationality, count=count)
        try:
            row.full_clean(exclude=["site"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.extend(str(message) for message in exc.messages)
        rows.append(row)
    if errors:
        raise ValidationError(sorted(set(errors)))
    HeadcountSnapshot.objects.filter(site=site, as_of=as_of).delete()
    created = HeadcountSnapshot.objects.bulk_create(rows)
    audit.record(
        "headcount.recorded",
        membership=actor,
        obj=site,
        detail={"as_of": as_of.isoformat(), "cells": len(rows), "total": sum(r.count for r in rows)},
    )
    return created


# --- links -----------------------------------------------------------------------

LINK_FIELDS = ("tier", "msa_status", "disclosed_to_buyers", "start_date", "end_date")


@transaction.atomic
def link_propose(
    *,
    actor: Any,
    kind: str,
    customer: Organisation,
    provider: Organisation,
    tier: int | None = None,
    msa_status: str = "",
    disclosed_to_buyers: bool = False,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> Link:
    """Propose a link; the other party confirms it. The technical partner's links start confirmed."""
    _require("propose_link", actor)
    manages_all = can(actor, Action.MANAGE_ANY_LINK)
    if not manages_all and actor.organisation_id not in (customer.pk, provider.pk):
        raise PermissionDenied(_("You can only propose links your organisation is part of."))
    if disclosed_to_buyers and not manages_all and actor.organisation_id != customer.pk:
        raise PermissionDenied(_("Only the employer that uses the agency decides what its buyers see."))
    link = Link(
        kind=kind,
        customer=customer,
        provider=provider,
        tier=tier,
        msa_status=msa_status,
        disclosed_to_buyers=disclosed_to_buyers,
        start_date=start_date,
        end_date=end_date,
        proposed_by_id=actor.organisation_id,
    )
    if manages_all:
        link.status = LinkStatus.CONFIRMED
        link.confirmed_at = timezone.now()
    _full_clean(link)
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError as exc:
        raise ValidationError(_("These organisations already have an open link of this kind.")) from exc
    audit.record(
        "link.proposed" if not manages_all else "link.created",
        membership=actor,
        obj=link,
        detail={"kind": kind, "customer": customer.pk, "provider": provider.pk},
    )
    return link


@transaction.atomic
def link_confirm(*, actor: Any, link: Link, accept: bool = True) -> Link:
    _require("confirm_link", actor, link)
    link = lock(Link, link.pk, None)
    if link.status != LinkStatus.PROPOSED:
        raise ValidationError(_("This link is not awaiting confirmation."))
    link.status = LinkStatus.CONFIRMED if accept else LinkStatus.DECLINED
    link.confirmed_at = timezone.now() if accept else None
    bump(link)
    link.save()
    audit.record("link.confirmed" if accept else "link.declined", membership=actor, obj=link)
    return link


@transaction.atomic
def link_update(*, actor: Any, link: Link, expected_version: int | None = None, **changes: Any) -> Link:
    _require("change_link", actor, link)
    link = lock(Link, link.pk, expected_version)
    if (
        "disclosed_to_buyers" in changes
        and changes["disclosed_to_buyers"] != link.disclosed_to_buyers
        and not can(actor, Action.MANAGE_ANY_LINK)
        and actor.organisation_id != link.customer_id
    ):
        raise PermissionDenied(_("Only the employer that uses the agency decides what its buyers see."))
    before = (link.start_date, link.end_date)
    changed = apply_changes(link, changes, LINK_FIELDS)
    _full_clean(link)
    reconfirm = (
        link.status == LinkStatus.CONFIRMED
        and not can(actor, Action.MANAGE_ANY_LINK)
        and _widens(before, (link.start_date, link.end_date))
    )
    if reconfirm:
        # Reaching further back or further ahead widens what the other side's partners see: the other
        # party confirms it again, as it confirmed the link in the first place.
        link.status = LinkStatus.PROPOSED
        link.proposed_by_id = actor.organisation_id
        link.confirmed_at = None
    if changed:
        bump(link)
        link.save()
        audit.record(
            "link.changed", membership=actor, obj=link, detail={"fields": changed, "needs_confirmation": reconfirm}
        )
    return link


def _widens(
    before: tuple[datetime.date | None, datetime.date | None], after: tuple[datetime.date | None, datetime.date | None]
) -> bool:
    """True when the dates let the link be in force on a day it was not before."""
    (old_start, old_end), (new_start, new_end) = before, after
    earlier_start = old_start is not None and (new_start is None or new_start < old_start)
    later_end = old_end is not None and (new_end is None or new_end > old_end)
    return earlier_start or later_end


def link_end(
    *, actor: Any, link: Link, end_date: datetime.date | None = None, expected_version: int | None = None
) -> Link:
    """End a link. By default it stops counting now: its last day in force was yesterday."""
    last_day = end_date or timezone.localdate() - datetime.timedelta(days=1)
    if link.start_date and last_day < link.start_date:
        last_day = link.start_date
    return link_update(actor=actor, link=link, expected_version=expected_version, end_date=last_day)


# --- channels and collaborations ---------------------------------------------------


@transaction.atomic
def channel_create(
    *,
    actor: Any,
    cso: Organisation,
    provider: str,
    name: str,
    public_address: str = "",
    languages: Sequence[str] = (),
    credentials: str = "",
) -> Channel:
    _require("manage_channel", actor, cso)
    channel = Channel(
        cso=cso,
        provider=provider,
        name=name.strip(),
        public_address=public_address.strip(),
        languages=list(languages),
        credentials=credentials,
    )
    _full_clean(channel)
    channel.save()
    audit.record("channel.created", membership=actor, obj=channel, detail={"provider": provider})
    return channel


CHANNEL_FIELDS = ("name", "public_address", "languages", "is_active")


@transaction.atomic
def channel_update(*, actor: Any, channel: Channel, credentials: str | None = None, **changes: Any) -> Channel:
    """Rename, switch on or off, change languages; replace the credentials when given (never read back)."""
    _require("manage_channel", actor, channel.cso)
    unknown = set(changes) - set(CHANNEL_FIELDS)
    if unknown:
        raise ValueError(f"channel_update cannot change {sorted(unknown)}")
    changed = [field for field, value in changes.items() if getattr(channel, field) != value]
    for field in changed:
        setattr(channel, field, changes[field])
    if credentials is not None:
        channel.credentials = credentials
        changed.append("credentials")
    _full_clean(channel)
    if changed:
        channel.save()
        audit.record("channel.changed", membership=actor, obj=channel, detail={"fields": changed})
    return channel


@transaction.atomic
def collaboration_create(
    *, actor: Any, cso: Organisation, organisation: Organisation, since: datetime.date | None = None
) -> Collaboration:
    _require("manage_collaborations", actor)
    if cso.kind != OrgKind.CSO:
        raise ValidationError({"cso": _("Collaborations start from a CSO.")})
    collaboration = Collaboration(cso=cso, organisation=organisation, since=since)
    _full_clean(collaboration)
    collaboration.save()
    audit.record("collaboration.created", membership=actor, obj=collaboration, detail={"organisation": organisation.pk})
    return collaboration


@transaction.atomic
def collaboration_delete(*, actor: Any, collaboration: Collaboration) -> None:
    _require("manage_collaborations", actor)
    audit.record(
        "collaboration.deleted",
        membership=actor,
        obj=collaboration,
        detail={"organisation": collaboration.organisation_id},
    )
    collaboration.delete()


@transaction.atomic
def technical_partner_bootstrap(*, name: str) -> Organisation:
    """Create the network's first organisation, the technical partner. Refused once one exists."""
    if Organisation.objects.filter(kind=OrgKind.TECHNICAL_PARTNER).exists():
        raise ValidationError(_("The network already has a technical partner."))
    organisation = Organisation(name=name.strip(), kind=OrgKind.TECHNICAL_PARTNER)
    _full_clean(organisation)
    organisation.save()
    audit.record("organisation.bootstrapped", obj=organisation, actor_label="manage.py")
    return organisation
