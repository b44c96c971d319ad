"""Build the demo network (idempotent) and write var/demo-credentials.json.

Running it twice changes nothing: every object is looked up before it is created, and
every demo secret (password, TOTP key, API token) is derived from the installation's
SECRET_KEY, so the credentials file comes out the same each time.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import importlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ilm.accounts import services as account_services
from ilm.accounts.models import ApiToken, Membership, TOTPDevice, User
from ilm.core.permissions import ROLES_BY_KIND, OrgKind, requires_two_factor
from ilm.network import demo_data as data
from ilm.network import services
from ilm.network.models import (
    Channel,
    Collaboration,
    Country,
    HeadcountSnapshot,
    Industry,
    Link,
    Organisation,
    Site,
)

HEADCOUNT_DATE = datetime.date(2026, 9, 30)
ROLE_SLUG = {
    "admin": "admin",
    "case_manager": "manager",
    "caseworker": "caseworker",
    "responder": "responder",
    "viewer": "viewer",
}


def _demo_credentials(provider: str, name: str) -> dict[str, str]:
    """Made-up secrets of the fields the provider's adapter reads (channel_simulator signs with them)."""
    from ilm.channels.providers import PROVIDERS

    adapter = PROVIDERS.get(provider)
    fields = adapter.credential_fields if adapter is not None else ("token",)
    values = {field: _derive(f"{name}:{field}").hex()[:32] for field in fields}
    if "bot_token" in values:  # Telegram's shape: <bot id>:<secret>
        values["bot_token"] = f"{int(values['bot_token'][:8], 16)}:{values['bot_token']}"
    return values


def _derive(*parts: str, length: int = 32) -> bytes:
    message = ":".join(("ilm-demo", *parts)).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()[:length]


class Command(BaseCommand):
    help = "Create the demo network and demo users; write var/demo-credentials.json. Safe to run again."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--credentials", default=str(Path(settings.VAR_DIR) / "demo-credentials.json"))
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo's users have published passwords: never on a real installation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options.get("force"):
            raise CommandError(
                "manage.py demo creates users whose passwords are written to a file: it runs only with DEBUG on "
                "(development), or with --force on a throw-away database."
            )
        with transaction.atomic():
            self.credentials: list[dict[str, Any]] = []
            self.members = {}
            self.orgs: dict[str, Organisation] = {}
            tp = self._technical_partner()
            self.actor = self._member(tp, "admin", "secretariat")
            for role in ROLES_BY_KIND[OrgKind.TECHNICAL_PARTNER][1:]:
                self._member(tp, role, "secretariat")
            for cso_spec in data.CSOS:
                org = self._organisation(cso_spec, OrgKind.CSO)
                for provider, name, address, languages in cso_spec["channels"]:
                    if not Channel.objects.filter(cso=org, name=name).exists():
                        services.channel_create(
                            actor=self.actor,
                            cso=org,
                            provider=provider,
                            name=name,
                            public_address=address,
                            languages=languages,
                            credentials=json.dumps(_demo_credentials(provider, name)),
                        )
            for spec in data.BUYERS:
                self._organisation(spec, OrgKind.BUYER)
            for supplier_spec in data.SUPPLIERS:
                org = self._organisation(supplier_spec, OrgKind.SUPPLIER)
                for site_spec in supplier_spec["sites"]:
                    self._site(org, *site_spec)
            for spec in data.AGENCIES:
                self._organisation(spec, OrgKind.RECRUITMENT_AGENCY)
            for spec in data.GOVERNMENTS:
                self._organisation(spec, OrgKind.GOVERNMENT)
            for kind, customer, provider, link_options in data.LINKS:
                self._link(kind, customer, provider, dict(link_options))
            for cso, other in data.COLLABORATIONS:
                if not Collaboration.objects.filter(cso=self.orgs[cso], organisation=self.orgs[other]).exists():
                    services.collaboration_create(
                        actor=self.actor,
                        cso=self.orgs[cso],
                        organisation=self.orgs[other],
                        since=datetime.date(2024, 1, 15),
                    )
            all_specs: Sequence[tuple[data.OrgSpec, str]] = (
                [(s, OrgKind.CSO) for s in data.CSOS]
                + [(s, OrgKind.BUYER) for s in data.BUYERS]
                + [(s, OrgKind.SUPPLIER) for s in data.SUPPLIERS]
                + [(s, OrgKind.RECRUITMENT_AGENCY) for s in data.AGENCIES]
                + [(s, OrgKind.GOVERNMENT) for s in data.GOVERNMENTS]
            )
            for spec, kind in all_specs:
                for role in ROLES_BY_KIND[kind]:
                    self._member(self.orgs[spec["slug"]], role, spec["slug"])
            extended = self._extend()
        self._write_credentials(Path(options["credentials"]))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {Organisation.objects.count()} organisations, {Site.objects.count()} sites, "
                f"{Link.objects.count()} links, {len(self.credentials)} users{extended}. "
                f"Sign-ins: {options['credentials']}"
            )
        )

    def _extend(self) -> str:
        """Later apps add their own demo data: each ILM app may have a `demo` module with
        `load(orgs=..., members=...) -> str` (idempotent; returns a short summary)."""
        summaries = []
        for config in apps.get_app_configs():
            if not config.name.startswith("ilm.") or config.name == "ilm.network":
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            summaries.append(module.load(orgs=self.orgs, members=self.members))
        return "".join(f", {summary}" for summary in summaries if summary)

    # --- organisations, sites, links ------------------------------------------------------

    def _technical_partner(self) -> Organisation:
        spec = data.TECHNICAL_PARTNER
        org = Organisation.objects.filter(kind=OrgKind.TECHNICAL_PARTNER, name=spec["name"]).first()
        if org is None:
            org = services.technical_partner_bootstrap(name=spec["name"])
            org.countries.set(Country.objects.filter(code__in=spec["countries"]))
        self.orgs[spec["slug"]] = org
        return org

    def _organisation(self, spec: data.OrgSpec, kind: str) -> Organisation:
        org = Organisation.objects.filter(kind=kind, name=spec["name"]).first()
        if org is None:
            org = services.organisation_create(
                actor=self.actor,
                name=spec["name"],
                kind=kind,
                subkind=spec.get("subkind", ""),
                countries=Country.objects.filter(code__in=spec["countries"]),
                industries=Industry.objects.filter(code__in=spec.get("industries", [])),
                website=f"https://{spec['slug']}.example.org",
            )
        self.orgs[spec["slug"]] = org
        return org

    def _site(
        self,
        supplier: Organisation,
        name: str,
        site_type: str,
        country: str,
        province: str,
        workers: int,
        mix: dict[str, float],
    ) -> None:
        site = Site.objects.filter(supplier=supplier, name=name).first()
        if site is None:
            site = services.site_create(
                actor=self.actor,
                supplier=supplier,
                name=name,
                site_type=site_type,
                country=Country.objects.get(code=country),
                province=province,
            )
        if HeadcountSnapshot.objects.filter(site=site, as_of=HEADCOUNT_DATE).exists():
            return
        female = data.FEMALE_SHARE.get(site_type, 0.5)
        cells = []
        nationalities = {code: Country.objects.get(code=code) for code in mix}
        for code, share in mix.items():
            total = round(workers * share)
            women = round(total * female)
            if women:
                cells.append(("female", nationalities[code], women))
            if total - women:
                cells.append(("male", nationalities[code], total - women))
        services.headcount_record(actor=self.actor, site=site, as_of=HEADCOUNT_DATE, cells=cells)

    def _link(self, kind: str, customer_slug: str, provider_slug: str, options: dict[str, Any]) -> None:
        customer, provider = self.orgs[customer_slug], self.orgs[provider_slug]
        if Link.objects.filter(kind=kind, customer=customer, provider=provider).exists():
            return
        pending = options.pop("pending", False)
        if pending:
            proposer = self._member(customer, "admin", customer_slug)
            services.link_propose(actor=proposer, kind=kind, customer=customer, provider=provider, **options)
        else:
            services.link_propose(
                actor=self.actor,
                kind=kind,
                customer=customer,
                provider=provider,
                start_date=datetime.date(2024, 1, 1),
                **options,
            )

    # --- people ---------------------------------------------------------------------------------

    members: dict[tuple[str, str], Membership]

    def _member(self, org: Organisation, role: str, slug: str) -> Membership:
        username = f"{slug}-{ROLE_SLUG[role]}"
        password = base64.urlsafe_b64encode(_derive(username, "password", length=12)).decode() + "-Demo"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=f"{username}@demo.ilm.invalid",
                first_name=slug.replace("-", " ").title(),
                last_name=ROLE_SLUG[role].title(),
                is_staff=org.kind == OrgKind.TECHNICAL_PARTNER and role == "admin",
            )
            user.set_password(password)
            user.save()
        membership = Membership.objects.active().filter(user=user, organisation=org).first()
        if membership is None:
            membership = account_services.membership_create(actor=None, user=user, organisation=org, role=role)
        totp_secret = None
        if requires_two_factor(org.kind, role):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(
                    user=user, name="Demo authenticator", confirmed=True, key=_derive(username, "totp", length=20).hex()
                )
            totp_secret = device.secret_base32
        prefix = _derive(username, "token-prefix", length=6).hex()
        secret = (
            f"{ApiToken.PREFIX}_{prefix}_{base64.urlsafe_b64encode(_derive(username, 'token')).decode().rstrip('=')}"
        )
        if not ApiToken.objects.filter(prefix=prefix).exists():
            ApiToken.objects.create(
                membership=membership,
                name="Demo token",
                prefix=prefix,
                digest=ApiToken.digest_for(secret),
                expires_at=timezone.now() + datetime.timedelta(days=365),
            )
        self.members[(slug, role)] = membership
        if not any(c["username"] == username for c in self.credentials):
            self.credentials.append(
                {
                    "username": username,
                    "password": password,
                    "org": org.name,
                    "org_kind": org.kind,
                    "role": role,
                    "api_token": secret,
                    "totp_secret": totp_secret,
                }
            )
        return membership

    def _write_credentials(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(
                sorted(self.credentials, key=lambda c: (c["org_kind"], c["org"], c["role"])),
                handle,
                indent=2,
                ensure_ascii=False,
            )
            handle.write("\n")
        tmp.replace(path)
