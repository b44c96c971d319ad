"""The network: organisations, supplier sites and their headcounts, supply-chain and agency links,
the channels CSOs run, and which businesses each CSO works with."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date
from typing import ClassVar

from babel import Locale
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from ilm.core.fields import EncryptedTextField
from ilm.core.languages import current_babel_locale
from ilm.core.models import TimestampedModel
from ilm.core.permissions import OrgKind


def _babel_locale() -> Locale:
    return current_babel_locale()


def refuse_control_characters(value: str, field: str) -> None:
    """Names travel into e-mail subjects, spreadsheets and file names: no line breaks or control codes."""
    if any(unicodedata.category(ch) in {"Cc", "Cf"} and ch not in "\u200c\u200d" for ch in value or ""):
        raise ValidationError({field: _("Remove line breaks and invisible control characters.")})


class Country(models.Model):
    """ISO 3166-1 countries, loaded by a data migration. Names shown in the reader's language."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]

    def __str__(self) -> str:
        return str(_babel_locale().territories.get(self.code, self.name))


INDUSTRY_LABELS = {
    "seafood": _("Seafood"),
    "agriculture": _("Agriculture"),
    "poultry": _("Poultry"),
    "palm_oil": _("Palm oil"),
    "apparel_footwear": _("Apparel and footwear"),
    "electronics": _("Electronics"),
    "household_goods": _("Household goods"),
    "other": pgettext_lazy("industry", "Other"),
}


class Industry(models.Model):
    """Industries, loaded by a data migration; poultry and palm oil sit under agriculture."""

    code = models.CharField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["position"]

    def __str__(self) -> str:
        return str(INDUSTRY_LABELS.get(self.code, self.name))


class Subkind(models.TextChoices):
    NGO = "ngo", _("NGO")
    TRADE_UNION = "trade_union", _("Trade union")
    ORIGIN = "origin", _("Origin country")
    DESTINATION = "destination", _("Destination country")
    BRAND = "brand", _("Brand")
    RETAILER = "retailer", _("Retailer")
    IMPORTER = "importer", _("Importer")


SUBKINDS_BY_KIND: dict[str, tuple[str, ...]] = {
    OrgKind.CSO: (Subkind.NGO, Subkind.TRADE_UNION),
    OrgKind.RECRUITMENT_AGENCY: (Subkind.ORIGIN, Subkind.DESTINATION),
    OrgKind.BUYER: (Subkind.BRAND, Subkind.RETAILER, Subkind.IMPORTER),
}


REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """A short random code an organisation shares out of band so a partner can propose a link to it."""
    import secrets

    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"ILM-{chars[:4]}-{chars[4:]}"


class Organisation(TimestampedModel):
    name = models.CharField(_("name"), max_length=200)
    reference = models.CharField(_("ILM reference"), max_length=16, unique=True, default=new_reference, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=OrgKind.choices, db_index=True)
    subkind = models.CharField(_("type"), max_length=32, choices=Subkind.choices, blank=True)
    countries = models.ManyToManyField(
        Country, verbose_name=_("countries of operation"), blank=True, related_name="organisations"
    )
    industries = models.ManyToManyField(
        Industry, verbose_name=_("industries"), blank=True, related_name="organisations"
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[countries, industries])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name"],
                name="unique_organisation_name_per_kind",
                violation_error_message=_("This name cannot be used. Choose another."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        refuse_control_characters(self.name, "name")
        allowed = SUBKINDS_BY_KIND.get(self.kind, ())
        if self.subkind and self.subkind not in allowed:
            raise ValidationError({"subkind": _("This type does not apply to this kind of organisation.")})
        if allowed and not self.subkind:
            raise ValidationError({"subkind": _("Choose a type for this kind of organisation.")})

    def audit_organisation_id(self) -> int:
        return self.pk


class SiteType(models.TextChoices):
    FACTORY = "factory", _("Factory")
    PROCESSING_PLANT = "processing_plant", _("Processing plant")
    FARM = "farm", _("Farm")
    PLANTATION = "plantation", _("Plantation")
    FISHING_VESSEL = "fishing_vessel", _("Fishing vessel")
    DORMITORY = "dormitory", _("Dormitory")
    OTHER = "other", pgettext_lazy("site type", "Other")


class Site(TimestampedModel):
    supplier = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="sites",
        verbose_name=_("supplier"),
        limit_choices_to={"kind": OrgKind.SUPPLIER},
    )
    name = models.CharField(_("name"), max_length=200)
    site_type = models.CharField(_("site type"), max_length=32, choices=SiteType.choices)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, verbose_name=_("country"), related_name="+")
    province = models.CharField(_("province"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "name"],
                name="unique_site_name_per_supplier",
                violation_error_message=_("This supplier already has a site with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        refuse_control_characters(self.name, "name")
        if self.supplier_id and self.supplier.kind != OrgKind.SUPPLIER:
            raise ValidationError({"supplier": _("Sites belong to suppliers.")})

    def audit_organisation_id(self) -> int:
        return self.supplier_id


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other or not stated")


class HeadcountSnapshot(models.Model):
    """How many people worked at a site on a date, by gender and nationality (one row per cell)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="headcounts", verbose_name=_("site"))
    as_of = models.DateField(_("as of"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    nationality = models.ForeignKey(Country, on_delete=models.PROTECT, verbose_name=_("nationality"), related_name="+")
    count = models.PositiveIntegerField(_("workers"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("headcount")
        verbose_name_plural = _("headcounts")
        ordering = ["-as_of", "gender", "nationality_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "as_of", "gender", "nationality"],
                name="one_headcount_cell_per_date",
                violation_error_message=_("The same gender and nationality appear twice."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.as_of}: {self.count}"

    def audit_organisation_id(self) -> int:
        return self.site.supplier_id


class LinkKind(models.TextChoices):
    SUPPLY = "supply", _("Buyer → supplier")
    UPSTREAM = "upstream", _("Supplier → upstream supplier")
    RECRUITMENT = "recruitment", _("Employer or agency → recruitment agency")


class LinkStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class MsaStatus(models.TextChoices):
    NONE = "none", _("None")
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    REVIEWED = "reviewed", _("Reviewed")


class Tier(models.IntegerChoices):
    ONE = 1, _("Tier 1")
    TWO = 2, _("Tier 2")
    THREE_PLUS = 3, _("Tier 3+")


def current_link_q(on: date | None = None, prefix: str = "") -> Q:
    """Confirmed links in force on a date (today by default): only these widen visibility."""
    day = on or timezone.localdate()
    return (
        Q(**{f"{prefix}status": LinkStatus.CONFIRMED})
        & (Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": day}))
        & (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day}))
    )


class LinkQuerySet(models.QuerySet["Link"]):
    def current(self, on: date | None = None) -> LinkQuerySet:
        """Confirmed links in force on a date (today by default): only these widen visibility."""
        return self.filter(current_link_q(on))


class Link(TimestampedModel):
    """A relationship in the supply chain: `customer` buys from or recruits through `provider`.

    supply       buyer → supplier, with a tier
    upstream     supplier → its upstream supplier
    recruitment  supplier (or destination agency) → recruitment agency, with the MSA status and
                 whether the supplier disclosed the agency to its buyers (activity 2.3, ER4)

    A link proposed by one party grants no visibility until the other party (or the technical
    partner) confirms it: nobody can declare their way into someone else's data.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices)
    customer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="provider_links", verbose_name=_("customer")
    )
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="customer_links", verbose_name=_("provider")
    )
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, null=True, blank=True)
    msa_status = models.CharField(_("MSA status"), max_length=16, choices=MsaStatus.choices, blank=True)
    disclosed_to_buyers = models.BooleanField(_("disclosed to buyers"), default=False)
    start_date = models.DateField(_("active from"), null=True, blank=True)
    end_date = models.DateField(_("active until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=LinkStatus.choices, default=LinkStatus.PROPOSED)
    proposed_by = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects: ClassVar[LinkQuerySet] = LinkQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["kind", "customer__name", "provider__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "customer", "provider"],
                condition=Q(end_date__isnull=True) & ~Q(status="declined"),
                name="one_open_link_per_pair",
                violation_error_message=_("These organisations already have an open link of this kind."),
            ),
            models.CheckConstraint(
                condition=~Q(customer=models.F("provider")),
                name="link_not_to_itself",
                violation_error_message=_("An organisation cannot be linked to itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} → {self.provider} ({self.get_kind_display()})"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.customer_id and self.provider_id:
            if self.customer_id == self.provider_id:
                errors["provider"] = _("An organisation cannot be linked to itself.")
            customer, provider = self.customer.kind, self.provider.kind
            expected = (
                {
                    LinkKind.SUPPLY: ({OrgKind.BUYER}, {OrgKind.SUPPLIER}),
                    LinkKind.UPSTREAM: ({OrgKind.SUPPLIER}, {OrgKind.SUPPLIER}),
                    LinkKind.RECRUITMENT: (
                        {OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY},
                        {OrgKind.RECRUITMENT_AGENCY},
                    ),
                }.get(LinkKind(self.kind))
                if self.kind in LinkKind.values
                else None
            )
            if expected:
                if customer not in expected[0]:
                    errors["customer"] = _("This kind of link cannot start from this kind of organisation.")
                if provider not in expected[1]:
                    errors["provider"] = _("This kind of link cannot end at this kind of organisation.")
            if (
                self.kind == LinkKind.RECRUITMENT
                and customer == OrgKind.RECRUITMENT_AGENCY
                and not (self.customer.subkind == "destination" and self.provider.subkind == "origin")
            ):
                errors["provider"] = _("Agency-to-agency links go from a destination agency to an origin agency.")
        if self.kind == LinkKind.SUPPLY and not self.tier:
            errors["tier"] = _("Choose the supplier's tier.")
        if self.kind != LinkKind.SUPPLY and self.tier:
            errors["tier"] = _("Only buyer-to-supplier links have a tier.")
        if self.kind == LinkKind.RECRUITMENT and not self.msa_status:
            self.msa_status = MsaStatus.NONE
        if self.kind != LinkKind.RECRUITMENT and (self.msa_status or self.disclosed_to_buyers):
            errors["msa_status"] = _("Only recruitment links have an MSA status and disclosure.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (
            self.status == LinkStatus.CONFIRMED
            and (self.start_date is None or self.start_date <= today)
            and (self.end_date is None or self.end_date >= today)
        )

    def audit_organisation_id(self) -> int:
        return self.customer_id


class ChannelProvider(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    WHATSAPP = "whatsapp", _("WhatsApp")
    MESSENGER = "messenger", _("Facebook Messenger")
    LINE = "line", _("LINE")
    VIBER = "viber", _("Viber")
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")
    IN_PERSON = "in_person", _("In person")


class Channel(TimestampedModel):
    """A worker-voice channel a CSO runs. Provider credentials are encrypted at rest."""

    cso = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="channels",
        verbose_name=_("CSO"),
        limit_choices_to={"kind": OrgKind.CSO},
    )
    provider = models.CharField(_("provider"), max_length=16, choices=ChannelProvider.choices)
    name = models.CharField(_("name"), max_length=120)
    public_address = models.CharField(_("number or handle workers use"), max_length=120, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    credentials = EncryptedTextField(purpose="network.channel.credentials", blank=True)
    webhook_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["cso__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cso", "name"],
                name="unique_channel_name_per_cso",
                violation_error_message=_("This CSO already has a channel with this name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_provider_display()})"

    def clean(self) -> None:
        if self.cso_id and self.cso.kind != OrgKind.CSO:
            raise ValidationError({"cso": _("Channels are run by CSOs.")})

    def audit_organisation_id(self) -> int:
        return self.cso_id


class Collaboration(TimestampedModel):
    """A CSO works with a business: both then see each other's profile (recorded by the technical partner)."""

    cso = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="collaborations",
        limit_choices_to={"kind": OrgKind.CSO},
        verbose_name=_("CSO"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="cso_collaborations", verbose_name=_("organisation")
    )
    since = models.DateField(_("since"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("collaboration")
        verbose_name_plural = _("collaborations")
        constraints = [
            models.UniqueConstraint(
                fields=["cso", "organisation"],
                name="unique_collaboration",
                violation_error_message=_("This collaboration is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.cso} ↔ {self.organisation}"

    def audit_organisation_id(self) -> int:
        return self.cso_id
