"""API v1 for the network: organisations, sites, headcounts, links, channels, collaborations."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ilm.api.fields import ScopedPrimaryKey
from ilm.api.filters import IdFilter
from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.core.permissions import Action, OrgKind, can
from ilm.network import selectors, services
from ilm.network.models import (
    Channel,
    ChannelProvider,
    Collaboration,
    Country,
    Gender,
    HeadcountSnapshot,
    Industry,
    Link,
    LinkKind,
    MsaStatus,
    Organisation,
    Site,
    SiteType,
    Subkind,
    Tier,
)

# --- serializers -------------------------------------------------------------------------


class CountrySerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Country
        fields = ["code", "name"]

    def get_name(self, obj: Country) -> str:
        return str(obj)


class IndustrySerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Industry
        fields = ["code", "name", "parent"]

    def get_name(self, obj: Industry) -> str:
        return str(obj)


class OrganisationOut(serializers.ModelSerializer):
    countries: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    industries: serializers.SlugRelatedField[Industry] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    reference = serializers.SerializerMethodField(
        help_text="Your own organisation's ILM reference (share it to receive link proposals); null for others."
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "subkind",
            "reference",
            "countries",
            "industries",
            "website",
            "description",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_reference(self, obj: Organisation) -> str | None:
        membership = self.context["request"].membership
        if obj.pk == membership.organisation_id or can(membership, Action.VIEW_WHOLE_NETWORK):
            return obj.reference
        return None


class OrganisationIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    subkind = serializers.ChoiceField(choices=Subkind.choices, required=False, allow_blank=True, default="")
    # With many=True DRF builds a ManyRelatedField, whose default is a list; the stubs type `default`
    # as one related object.
    countries = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=Country.objects.all(),
        required=False,
        default=list,  # type: ignore[arg-type]
    )
    industries = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=Industry.objects.all(),
        required=False,
        default=list,  # type: ignore[arg-type]
    )
    website = serializers.URLField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class OrganisationPatch(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    subkind = serializers.ChoiceField(choices=Subkind.choices, required=False, allow_blank=True)
    countries = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Country.objects.all(), required=False
    )
    industries = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Industry.objects.all(), required=False
    )
    website = serializers.URLField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    is_active = serializers.BooleanField(required=False)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you edited; a stale version answers 409."
    )


class SiteOut(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    country = serializers.CharField(source="country_id", read_only=True)
    headcount_total = serializers.IntegerField(read_only=True, allow_null=True)
    headcount_as_of = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "supplier",
            "supplier_name",
            "name",
            "site_type",
            "country",
            "province",
            "address",
            "is_active",
            "headcount_total",
            "headcount_as_of",
            "version",
            "created_at",
            "updated_at",
        ]


class SiteIn(serializers.Serializer):
    supplier = ScopedPrimaryKey(selectors.organisation_list, Q(kind=OrgKind.SUPPLIER))
    name = serializers.CharField(max_length=200)
    site_type = serializers.ChoiceField(choices=SiteType.choices)
    country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all())
    province = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SitePatch(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    site_type = serializers.ChoiceField(choices=SiteType.choices, required=False)
    country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all(), required=False)
    province = serializers.CharField(max_length=100, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    version = serializers.IntegerField(required=False, min_value=1)


class HeadcountOut(serializers.ModelSerializer):
    nationality = serializers.CharField(source="nationality_id", read_only=True)

    class Meta:
        model = HeadcountSnapshot
        fields = ["id", "site", "as_of", "gender", "nationality", "count"]


class HeadcountCellIn(serializers.Serializer):
    gender = serializers.ChoiceField(choices=Gender.choices)
    nationality = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all())
    count = serializers.IntegerField(min_value=0, max_value=1_000_000)


class HeadcountIn(serializers.Serializer):
    site = ScopedPrimaryKey(selectors.site_list)
    as_of = serializers.DateField()
    cells = serializers.ListField(child=HeadcountCellIn(), allow_empty=False, max_length=40)


class LinkOut(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Link
        fields = [
            "id",
            "kind",
            "customer",
            "customer_name",
            "provider",
            "provider_name",
            "tier",
            "msa_status",
            "disclosed_to_buyers",
            "start_date",
            "end_date",
            "status",
            "proposed_by",
            "confirmed_at",
            "is_current",
            "version",
            "created_at",
            "updated_at",
        ]


class LinkIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LinkKind.choices)
    customer = ScopedPrimaryKey(selectors.link_counterpart_choices, required=False, allow_null=True, default=None)
    provider = ScopedPrimaryKey(selectors.link_counterpart_choices, required=False, allow_null=True, default=None)
    counterpart_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=16,
        help_text="The other organisation's ILM reference, for a side you cannot pick by id.",
    )
    tier = serializers.ChoiceField(choices=Tier.choices, required=False, allow_null=True, default=None)
    msa_status = serializers.ChoiceField(choices=MsaStatus.choices, required=False, allow_blank=True, default="")
    disclosed_to_buyers = serializers.BooleanField(required=False, default=False)
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        reference = attrs.pop("counterpart_reference", "").strip()
        if reference:
            found = selectors.dangerously_organisation_by_reference(reference)
            if found is None:
                raise serializers.ValidationError(
                    {"counterpart_reference": _("No organisation in the network has this reference.")}
                )
            empty = [side for side in ("customer", "provider") if attrs.get(side) is None]
            if len(empty) != 1:
                raise serializers.ValidationError(
                    {"counterpart_reference": _("Give exactly one of customer and provider with a reference.")}
                )
            attrs[empty[0]] = found
        for side in ("customer", "provider"):
            if attrs.get(side) is None:
                raise serializers.ValidationError({side: _("This field is required.")})
        return attrs


class LinkPatch(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices, required=False, allow_null=True)
    msa_status = serializers.ChoiceField(choices=MsaStatus.choices, required=False, allow_blank=True)
    disclosed_to_buyers = serializers.BooleanField(required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False, min_value=1)


class ChannelOut(serializers.ModelSerializer):
    languages = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Channel
        fields = ["id", "cso", "name", "provider", "public_address", "languages", "is_active", "created_at"]


class ChannelIn(serializers.Serializer):
    cso = ScopedPrimaryKey(selectors.organisation_list, Q(kind=OrgKind.CSO))
    provider = serializers.ChoiceField(choices=ChannelProvider.choices)
    name = serializers.CharField(max_length=120)
    public_address = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=["en", "th", "my", "km", "ne", "lo", "vi", "id", "ms", "bn", "hi"]),
        required=False,
        default=list,
        max_length=12,
    )
    credentials = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        max_length=4000,
        help_text="Provider secrets as a JSON object of texts with the provider's fields (docs/channels.md); "
        "stored encrypted, never returned.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from ilm.channels.services import credentials_problem  # the page's check (channels knows each provider)

        text = attrs.get("credentials", "").strip()
        if text:
            problem = credentials_problem(attrs["provider"], text)
            if problem:
                raise serializers.ValidationError({"credentials": [problem]})
        return attrs


class CollaborationOut(serializers.ModelSerializer):
    class Meta:
        model = Collaboration
        fields = ["id", "cso", "organisation", "since", "created_at"]


class CollaborationIn(serializers.Serializer):
    cso = ScopedPrimaryKey(selectors.organisation_list, Q(kind=OrgKind.CSO))
    organisation = ScopedPrimaryKey(selectors.organisation_list)
    since = serializers.DateField(required=False, allow_null=True, default=None)


# --- filters -------------------------------------------------------------------------------


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices)
    country = django_filters.CharFilter(field_name="countries__code", distinct=True)
    industry = django_filters.CharFilter(field_name="industries__code", distinct=True)
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=100)

    class Meta:
        model = Organisation
        fields = ["kind", "country", "industry", "q", "is_active"]


class SiteFilter(django_filters.FilterSet):
    # Ids filter as plain numbers: an id of another organisation must look like one that does not exist.
    supplier = IdFilter(field_name="supplier_id")
    country = django_filters.CharFilter(field_name="country_id")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=100)

    class Meta:
        model = Site
        fields = ["supplier", "country", "site_type", "is_active", "q"]


class HeadcountFilter(django_filters.FilterSet):
    site = IdFilter(field_name="site_id")

    class Meta:
        model = HeadcountSnapshot
        fields = ["site", "as_of"]


class LinkFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id")
    provider = IdFilter(field_name="provider_id")

    class Meta:
        model = Link
        fields = ["kind", "status", "customer", "provider"]


class ChannelFilter(django_filters.FilterSet):
    cso = IdFilter(field_name="cso_id")

    class Meta:
        model = Channel
        fields = ["cso", "provider", "is_active"]


# --- viewsets ------------------------------------------------------------------------------


class OrganisationViewSet(ReadOnlyScopedViewSet):
    queryset = Organisation.objects.none()
    scope_selector = selectors.organisation_list
    output_serializer = OrganisationOut
    filterset_class = OrganisationFilter

    @extend_schema(request=OrganisationIn, responses={201: OrganisationOut})
    def create(self, request: Request) -> Response:
        data = self.validated(OrganisationIn)
        organisation = services.organisation_create(actor=self.membership, **data)
        return self.respond(self.reload(organisation), status=status.HTTP_201_CREATED)

    @extend_schema(request=OrganisationPatch, responses={200: OrganisationOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        organisation = self.get_object()
        data = self.validated(OrganisationPatch, partial=True)
        expected = data.pop("version", None)
        organisation = services.organisation_update(
            actor=self.membership, organisation=organisation, expected_version=expected, **data
        )
        return self.respond(self.reload(organisation))


class SiteViewSet(ReadOnlyScopedViewSet):
    queryset = Site.objects.none()
    scope_selector = selectors.site_list
    output_serializer = SiteOut
    filterset_class = SiteFilter

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.attach_headcounts(page)

    def get_object(self) -> Site:
        site: Site = super().get_object()
        selectors.attach_headcounts([site])
        return site

    def reload(self, obj: Any) -> Any:
        return selectors.attach_headcounts([super().reload(obj)])[0]

    @extend_schema(request=SiteIn, responses={201: SiteOut})
    def create(self, request: Request) -> Response:
        site = services.site_create(actor=self.membership, **self.validated(SiteIn))
        return self.respond(self.reload(site), status=status.HTTP_201_CREATED)

    @extend_schema(request=SitePatch, responses={200: SiteOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        site = self.get_object()
        data = self.validated(SitePatch, partial=True)
        expected = data.pop("version", None)
        site = services.site_update(actor=self.membership, site=site, expected_version=expected, **data)
        return self.respond(self.reload(site))


class HeadcountViewSet(ReadOnlyScopedViewSet):
    queryset = HeadcountSnapshot.objects.none()
    scope_selector = selectors.headcount_list
    output_serializer = HeadcountOut
    filterset_class = HeadcountFilter

    @extend_schema(
        request=HeadcountIn,
        responses={201: HeadcountOut(many=True)},
        description="Record a site's headcount on a date (replaces that date's earlier record).",
    )
    def create(self, request: Request) -> Response:
        data = self.validated(HeadcountIn)
        cells = [(c["gender"], c["nationality"], c["count"]) for c in data["cells"]]
        rows = services.headcount_record(actor=self.membership, site=data["site"], as_of=data["as_of"], cells=cells)
        return Response(HeadcountOut(rows, many=True).data, status=status.HTTP_201_CREATED)


class LinkViewSet(ReadOnlyScopedViewSet):
    queryset = Link.objects.none()
    scope_selector = selectors.link_list
    output_serializer = LinkOut
    filterset_class = LinkFilter

    @extend_schema(
        request=LinkIn,
        responses={201: LinkOut},
        description="Propose a link your organisation is part of; the other party confirms it.",
    )
    def create(self, request: Request) -> Response:
        link = services.link_propose(actor=self.membership, **self.validated(LinkIn))
        return self.respond(self.reload(link), status=status.HTTP_201_CREATED)

    @extend_schema(request=LinkPatch, responses={200: LinkOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        link = self.get_object()
        data = self.validated(LinkPatch, partial=True)
        expected = data.pop("version", None)
        link = services.link_update(actor=self.membership, link=link, expected_version=expected, **data)
        return self.respond(self.reload(link))

    @extend_schema(request=None, responses={200: LinkOut})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        link = services.link_confirm(actor=self.membership, link=self.get_object(), accept=True)
        return self.respond(self.reload(link))

    @extend_schema(request=None, responses={200: LinkOut})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        link = services.link_confirm(actor=self.membership, link=self.get_object(), accept=False)
        return self.respond(self.reload(link))


class ChannelViewSet(ReadOnlyScopedViewSet):
    queryset = Channel.objects.none()
    scope_selector = selectors.channel_list
    output_serializer = ChannelOut
    filterset_class = ChannelFilter

    @extend_schema(request=ChannelIn, responses={201: ChannelOut})
    def create(self, request: Request) -> Response:
        channel = services.channel_create(actor=self.membership, **self.validated(ChannelIn))
        return self.respond(self.reload(channel), status=status.HTTP_201_CREATED)


class CollaborationViewSet(mixins.DestroyModelMixin, ReadOnlyScopedViewSet):
    queryset = Collaboration.objects.none()
    scope_selector = selectors.collaboration_list
    output_serializer = CollaborationOut

    @extend_schema(request=CollaborationIn, responses={201: CollaborationOut})
    def create(self, request: Request) -> Response:
        collaboration = services.collaboration_create(actor=self.membership, **self.validated(CollaborationIn))
        return self.respond(self.reload(collaboration), status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Collaboration) -> None:
        services.collaboration_delete(actor=self.membership, collaboration=instance)


class CountryViewSet(ReadOnlyScopedViewSet):
    """ISO 3166 countries with names in the caller's language (reference data, the same for everyone)."""

    queryset = Country.objects.none()
    scope_selector = staticmethod(lambda *, membership: selectors.country_list())
    output_serializer = CountrySerializer
    lookup_field = "code"
    pagination_class = None


class IndustryViewSet(ReadOnlyScopedViewSet):
    queryset = Industry.objects.none()
    scope_selector = staticmethod(lambda *, membership: selectors.industry_list())
    output_serializer = IndustrySerializer
    lookup_field = "code"
    pagination_class = None
