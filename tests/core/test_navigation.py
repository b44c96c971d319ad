"""The main menu: its groups, which group holds the page shown, and who sees which link."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ilm.core.navigation import section_of
from tests.conftest import sign_in
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def menu(html: str) -> str:
    return html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]


def current_group(html: str) -> str | None:
    found = re.search(r'<summary class="current">([^<]+)</summary>', menu(html))
    return found.group(1) if found else None


def test_each_page_marks_the_group_that_holds_it():
    world = build_world()
    client = sign_in(Client(), world.members[("tp", "admin")])
    expected = {
        "dashboards:home": None,
        "dashboards:dashboard": None,
        "cases:case_list": None,
        "network:site_list": "Network",
        "network:link_list": "Network",
        "plans:index": "Improvement",
        "indicators:eps_list": "Improvement",
        "recruitment:network_list": "Improvement",
        "accounts:members": "Administration",
        "accounts:tokens": "Administration",
        "core:audit": "Administration",
    }
    for name, group in expected.items():
        path = reverse(name)
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        assert current_group(response.text) == group, path
        assert menu(response.text).count('aria-current="page"') <= 1, path


def test_every_link_stays_in_the_menu_for_the_kinds_that_had_it():
    world = build_world()
    links = {
        ("tp", "admin"): {"network:channel_list", "indicators:eps_list", "recruitment:network_list", "core:audit"},
        ("cso", "caseworker"): {"channels:inbox", "network:channel_list", "indicators:reach", "jobs:application_list"},
        ("buyer", "admin"): {"dashboards:dashboard", "indicators:eps_list", "indicators:impact", "recruitment:totals"},
        ("supplier", "viewer"): {"cases:case_list", "plans:index", "jobs:vacancy_list"},
        ("government", "admin"): {"recruitment:network_list", "network:organisation_list"},
    }
    never = {
        ("supplier", "viewer"): {"channels:inbox", "network:channel_list", "recruitment:network_list"},
        ("government", "admin"): {"dashboards:dashboard", "cases:case_list", "indicators:eps_list"},
        ("buyer", "admin"): {"channels:inbox", "jobs:vacancy_list"},
    }
    for member, names in links.items():
        html = menu(sign_in(Client(), world.members[member]).get("/").text)
        for name in names:
            assert f'href="{reverse(name)}"' in html, (member, name)
        for name in never.get(member, ()):
            assert f'href="{reverse(name)}"' not in html, (member, name)


def test_sections():
    assert section_of("network", "site_list") == "network"
    assert section_of("jobs", "vacancy_list") == "improvement"
    assert section_of("accounts", "tokens") == "settings"
    assert section_of("cases", "case_list") is None
    assert section_of("", "") is None
