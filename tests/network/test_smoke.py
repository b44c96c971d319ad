import pytest

from tests.conftest import sign_in
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def test_pages_render_for_supplier_admin(client):
    world = build_world()
    sign_in(client, world.members[("supplier", "admin")])
    for url in [
        "/",
        "/network/organisations/",
        "/network/sites/",
        "/network/links/",
        "/accounts/members/",
        "/accounts/tokens/",
        "/accounts/profile/",
        "/audit/",
        "/network/import/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
