"""factory-boy factories for the network and accounts."""

from __future__ import annotations

import datetime

import factory

from ilm.accounts.models import Membership, TOTPDevice, User
from ilm.network.models import (
    SUBKINDS_BY_KIND,
    Channel,
    Country,
    Link,
    LinkStatus,
    Organisation,
    Site,
)


def country(code: str) -> Country:
    return Country.objects.get(code=code)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = "supplier"
    subkind = factory.LazyAttribute(lambda o: SUBKINDS_BY_KIND.get(o.kind, ("",))[0])

    @factory.post_generation
    def countries(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.countries.set(Country.objects.filter(code__in=extracted))


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    supplier = factory.SubFactory(OrganisationFactory, kind="supplier")
    name = factory.Sequence(lambda n: f"Site {n}")
    site_type = "factory"
    country = factory.LazyFunction(lambda: country("TH"))
    province = "Bangkok"


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Link

    kind = "supply"
    customer = factory.SubFactory(OrganisationFactory, kind="buyer")
    provider = factory.SubFactory(OrganisationFactory, kind="supplier")
    tier = factory.LazyAttribute(lambda o: 1 if o.kind == "supply" else None)
    msa_status = factory.LazyAttribute(lambda o: "signed" if o.kind == "recruitment" else "")
    status = LinkStatus.CONFIRMED
    start_date = datetime.date(2024, 1, 1)


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    cso = factory.SubFactory(OrganisationFactory, kind="cso")
    provider = "whatsapp"
    name = factory.Sequence(lambda n: f"Channel {n}")
    credentials = '{"app_secret": "s3cret-value"}'


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def saved(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "admin"


def totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)
