"""Scenario 5: every other page a person uses, at least once."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail

from ilm.accounts.models import ApiToken, Invitation, User
from ilm.core.models import AuditEvent
from ilm.network.models import HeadcountSnapshot, Link, LinkStatus, Organisation, Site

pytestmark = pytest.mark.e2e


def nav(me, name: str, url_glob: str) -> None:
    me.menu_link(name=name, exact=True).click()
    me.page.wait_for_url(url_glob)
    me.page.wait_for_load_state("load")


def save(me, *, expect_path: str | None = None) -> None:
    me.submit(me.main().locator("form.card button[type=submit]"), expect_path=expect_path)


def message(me) -> str:
    return me.page.locator(".messages").inner_text() if me.page.locator(".messages").count() else ""


def test_supplier_admin_adds_and_edits_a_site_and_records_headcount(ui, demo):
    me = ui.person("supplier admin")
    me.sign_in(demo["siam-ocean-admin"])
    main = me.main()
    nav(me, "Sites", "**/network/sites/")
    me.submit(main.get_by_role("link", name="Add a site"), expect_path="/network/sites/new/")
    own = str(Organisation.objects.get(name="Siam Ocean Foods").pk)
    ui.check(
        main.locator("#id_supplier").input_value() == own,
        "new site: a supplier's own organisation should be preselected as the supplier",
    )
    me.snap("site-create")

    # A missing name is refused with a message by the field.
    save(me, expect_path="/network/sites/new/")
    assert main.locator(".errorlist").count() >= 1
    me.snap("site-create-errors")

    main.locator("#id_supplier").select_option(own)
    main.locator("#id_name").fill("E2E Pattani Pier")
    main.locator("#id_site_type").select_option("processing_plant")
    main.locator("#id_country").select_option("TH")
    main.locator("#id_province").fill("Pattani")
    save(me, expect_path=r"/network/sites/\d+/")
    assert "Site added." in message(me)
    assert main.locator("h1").inner_text() == "E2E Pattani Pier"
    site = Site.objects.get(name="E2E Pattani Pier")
    assert site.supplier.name == "Siam Ocean Foods" and site.province == "Pattani"
    me.snap("site-created")

    me.submit(main.get_by_role("link", name="Edit"), expect_path=f"/network/sites/{site.pk}/edit/")
    assert main.locator("#id_province").input_value() == "Pattani"
    me.snap("site-edit")
    main.locator("#id_address").fill("12 Harbour Road")
    main.locator("#id_site_type").select_option("dormitory")
    save(me, expect_path=f"/network/sites/{site.pk}/")
    assert "Saved." in message(me)
    site.refresh_from_db()
    assert (site.address, site.site_type) == ("12 Harbour Road", "dormitory")

    me.submit(main.get_by_role("link", name="Record headcount"), expect_path=f"/network/sites/{site.pk}/headcount/")
    me.snap("headcount-form")
    main.locator("#id_as_of").fill("2026-10-31")
    main.locator("#id_cells-0-gender").select_option("female")
    main.locator("#id_cells-0-nationality").select_option("MM")
    main.locator("#id_cells-0-count").fill("120")
    main.locator("#id_cells-1-gender").select_option("male")
    main.locator("#id_cells-1-nationality").select_option("KH")
    main.locator("#id_cells-1-count").fill("45")
    save(me)  # rows 3 and 4 stay empty, as the form's help text says
    total, cells = "165", 2
    if not ui.check(
        me.path() == f"/network/sites/{site.pk}/",
        "headcount: a form with two rows filled and two left empty (as its help text says) is "
        f"refused: {main.locator('.errorlist').all_inner_texts()}",
    ):
        me.snap("headcount-empty-rows-refused")
        # Carry on the way a person would: fill every row.
        main.locator("#id_cells-2-gender").select_option("female")
        main.locator("#id_cells-2-nationality").select_option("TH")
        main.locator("#id_cells-2-count").fill("10")
        main.locator("#id_cells-3-gender").select_option("male")
        main.locator("#id_cells-3-nationality").select_option("TH")
        main.locator("#id_cells-3-count").fill("5")
        save(me, expect_path=f"/network/sites/{site.pk}/")
        total, cells = "180", 4
    assert "Headcount recorded." in message(me)
    caption = main.locator("table caption").first.inner_text()
    assert f"{total} workers" in caption, caption
    assert HeadcountSnapshot.objects.filter(site=site, as_of=datetime.date(2026, 10, 31)).count() == cells
    me.snap("headcount-recorded")

    # The list shows the new site with its latest headcount.
    nav(me, "Sites", "**/network/sites/")
    row = main.locator("table tbody tr", has_text="E2E Pattani Pier").inner_text()
    ui.check(total in row, f"sites list: E2E Pattani Pier should show {total} workers: {row!r}")
    ui.assert_clean()


def test_links_proposed_edited_and_confirmed(ui, demo):
    # Siam Ocean proposes a recruitment link to an agency it does not use yet.
    supplier = ui.person("supplier admin")
    supplier.sign_in(demo["siam-ocean-admin"])
    main = supplier.main()
    nav(supplier, "Supply chain", "**/network/links/")
    supplier.snap("links-supplier")
    supplier.submit(main.get_by_role("link", name="New link"), expect_path="/network/links/new/")
    supplier.snap("link-create")
    main.locator("#id_kind").select_option("recruitment")
    main.get_by_label("the customer", exact=False).check()
    # The agency is not among the organisations Siam Ocean sees: it names it by the ILM reference the
    # agency gave it (read here from the database, as if told on the phone).
    assert main.locator("#id_counterpart option", has_text="Mandalay Job Link").count() == 0
    main.locator("#id_counterpart_reference").fill(Organisation.objects.get(name="Mandalay Job Link").reference)
    main.locator("#id_msa_status").select_option("draft")
    main.locator("#id_start_date").fill("2026-01-01")
    save(supplier, expect_path=r"/network/links/\d+/")
    assert "Link proposed." in message(supplier)
    assert main.locator("h1").inner_text() == "Siam Ocean Foods → Mandalay Job Link"
    assert "Awaiting confirmation" in main.locator("dl.facts").inner_text()
    proposed = Link.objects.get(customer__name="Siam Ocean Foods", provider__name="Mandalay Job Link")
    assert proposed.status == LinkStatus.PROPOSED
    supplier.snap("link-proposed")

    # ... and edits its existing agency link (MSA now reviewed).
    agency_link = Link.objects.get(customer__name="Siam Ocean Foods", provider__name="Bangkok Labour Services")
    supplier.goto(f"/network/links/{agency_link.pk}/")
    supplier.submit(main.get_by_role("link", name="Edit"), expect_path=f"/network/links/{agency_link.pk}/edit/")
    supplier.snap("link-edit")
    main.locator("#id_msa_status").select_option("reviewed")
    save(supplier, expect_path=f"/network/links/{agency_link.pk}/")
    assert "Saved." in message(supplier)
    agency_link.refresh_from_db()
    assert agency_link.msa_status == "reviewed"

    # Golden Hen confirms the supply link Harbor Retail Group proposed.
    hen = ui.person("golden hen admin")
    hen.sign_in(demo["golden-hen-admin"])
    hen_main = hen.main()
    assert "1 supply-chain link waits for your confirmation." in hen_main.inner_text()
    hen.submit(hen_main.locator(".notice a"))
    assert "pending=on" in hen.page.url
    pending_rows = hen_main.locator("table tbody tr")
    assert pending_rows.count() == 1 and "Harbor Retail Group" in pending_rows.first.inner_text()
    hen.snap("links-awaiting")
    hen.submit(pending_rows.first.locator("td:first-child a"), expect_path=r"/network/links/\d+/")
    assert hen_main.locator("h1").inner_text() == "Harbor Retail Group → Golden Hen Poultry"
    hen.snap("link-awaiting-confirmation")
    hen.submit(hen_main.get_by_role("button", name="Confirm"))
    assert "Link confirmed." in message(hen)
    assert "Confirmed" in hen_main.locator("dl.facts").inner_text()
    assert hen_main.get_by_role("button", name="Confirm").count() == 0
    pending = Link.objects.get(customer__name="Harbor Retail Group", provider__name="Golden Hen Poultry")
    assert pending.status == LinkStatus.CONFIRMED
    hen.snap("link-confirmed")
    ui.assert_clean()


def test_technical_partner_admin_manages_organisations_and_reads_audit_log(ui, demo):
    me = ui.person("secretariat admin")
    me.sign_in(demo["secretariat-admin"])
    main = me.main()
    nav(me, "Organisations", "**/network/organisations/")
    assert main.locator("table tbody tr").count() == 22  # incl. the Yangon Region Labour Office
    me.submit(main.get_by_role("link", name="New organisation"), expect_path="/network/organisations/new/")
    me.snap("organisation-create")
    main.locator("#id_name").fill("E2E Fair Fishing Co.")
    main.locator("#id_kind").select_option("supplier")
    main.locator("#id_countries").select_option(["TH", "MM"])
    main.get_by_label("Seafood").check()
    main.locator("#id_website").fill("fair-fishing.example.org")
    save(me, expect_path=r"/network/organisations/\d+/")
    assert "Organisation created." in message(me)
    org = Organisation.objects.get(name="E2E Fair Fishing Co.")
    assert org.kind == "supplier"
    assert set(org.countries.values_list("code", flat=True)) == {"TH", "MM"}
    assert list(org.industries.values_list("code", flat=True)) == ["seafood"]
    assert org.website == "https://fair-fishing.example.org"
    me.snap("organisation-created")

    me.submit(main.get_by_role("link", name="Edit"), expect_path=f"/network/organisations/{org.pk}/edit/")
    assert main.locator("#id_name").input_value() == "E2E Fair Fishing Co."
    me.snap("organisation-edit")
    main.locator("#id_description").fill("Zero-fee recruitment pilot.")
    save(me, expect_path=f"/network/organisations/{org.pk}/")
    assert "Saved." in message(me)
    assert "Zero-fee recruitment pilot." in main.inner_text()
    org.refresh_from_db()
    assert org.description == "Zero-fee recruitment pilot."

    # The whole network's channels.
    nav(me, "Channels", "**/network/channels/")
    assert main.locator("table tbody tr").count() == 10
    me.snap("channels-technical-partner")

    # The audit log, then filtered.
    nav(me, "Audit log", "**/audit/")
    assert main.locator("table tbody tr").count() >= 10
    me.snap("audit-log")
    main.locator("#action").fill("organisation.")
    main.locator("form.filters button[type=submit]").click()
    me.settle()
    actions = {a.strip() for a in main.locator("table tbody tr td:nth-child(2)").all_inner_texts()}
    assert actions and all(a.startswith("organisation.") for a in actions), actions
    # Newest first: this test's edit and creation are on the first page.
    assert {"organisation.created", "organisation.changed"} <= actions, actions
    assert AuditEvent.objects.filter(action="organisation.changed", object_id=str(org.pk)).exists()
    me.snap("audit-log-filtered")

    # An organisation that does not exist: the error page.
    me.goto("/network/organisations/999999/", expect_status=404)
    me.snap("not-found")
    ui.assert_clean()


def test_cso_admin_members_tokens_profile(ui, demo, live_server):
    me = ui.person("cso admin")
    me.sign_in(demo["th-voice-admin"])
    main = me.main()

    nav(me, "Channels", "**/network/channels/")
    assert main.locator("table tbody tr").count() == 4
    me.snap("channels-cso-admin")

    # Members: invite someone; the e-mail goes out through the (immediate) task backend.
    nav(me, "Members", "**/accounts/members/")
    assert "Members of Migrant Worker Voice Thailand" in main.locator("h1").inner_text()
    me.snap("members")
    main.locator("#id_email").fill("Somchai.Invited@Example.org")
    main.locator("#id_role").select_option("case_manager")
    me.submit(main.get_by_role("button", name="Send invitation"), expect_path="/accounts/members/")
    assert "Invitation sent to" in message(me)
    invitations = main.locator("table", has_text="E-mail address").locator("tbody tr")
    assert "somchai.invited@example.org" in invitations.first.inner_text().lower()
    me.snap("members-invited")
    invitation = Invitation.objects.get(email="somchai.invited@example.org")
    assert invitation.role == "case_manager"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["somchai.invited@example.org"]
    assert re.search(r"/accounts/invitation/[\w-]+/", mail.outbox[0].body)
    assert live_server.url in mail.outbox[0].body, "the invitation link does not point at this site"

    # API tokens: the secret is shown once.
    nav(me, "API tokens", "**/accounts/tokens/")
    me.snap("tokens")
    main.locator("#id_name").fill("monthly report script")
    me.submit(main.get_by_role("button", name="Create token"), expect_path="/accounts/tokens/")
    secret = main.locator("#new-token").inner_text().strip()
    assert secret.startswith(f"{ApiToken.PREFIX}_"), secret
    me.snap("tokens-created")
    assert "monthly report script" in main.locator("table").inner_text()
    response = me.context.request.get(f"{ui.base_url}/api/v1/me/", headers={"Authorization": f"Bearer {secret}"})
    assert response.status == 200, f"the new token does not work: HTTP {response.status}"
    me.goto("/accounts/tokens/")
    assert main.locator("#new-token").count() == 0 and secret not in me.page.content(), "the token is shown again"

    # Profile, recovery codes and password change pages.
    nav(me, "th-voice-admin", "**/accounts/profile/")
    assert "Migrant Worker Voice Thailand" in main.locator("table").inner_text()
    me.snap("profile-cso-admin")
    me.submit(main.get_by_role("link", name="Recovery codes"), expect_path="/accounts/two-factor/recovery-codes/")
    me.snap("recovery-codes-page")
    me.goto("/accounts/password/")
    me.snap("password-change")
    ui.assert_clean()


def test_password_reset(ui, demo):
    user = User.objects.get(username="th-voice-caseworker")
    me = ui.person("forgetful caseworker")
    me.goto("/accounts/login/")
    me.submit(me.main().get_by_role("link", name="Forgot your password?"), expect_path="/accounts/password-reset/")
    me.snap("password-reset")
    me.main().locator("#id_email").fill(user.email)
    me.submit(me.main().locator("form button[type=submit]"), expect_path="/accounts/password-reset/sent/")
    me.snap("password-reset-sent")
    assert len(mail.outbox) == 1, "no reset e-mail was sent"
    link = re.search(r"https?://\S+/accounts/password-reset/[\w-]+/[\w-]+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body

    me.goto(link.group(0))  # Django redirects to a URL without the token in it
    assert me.main().locator("#id_new_password1").is_visible()
    me.snap("password-reset-confirm")
    me.main().locator("#id_new_password1").fill("Lemongrass-harbour-77")
    me.main().locator("#id_new_password2").fill("Lemongrass-harbour-77")
    me.submit(me.main().locator("form button[type=submit]"), expect_path="/accounts/password-reset/done/")
    me.snap("password-reset-complete")
    user.refresh_from_db()
    assert user.check_password("Lemongrass-harbour-77")
    ui.assert_clean()


def test_api_docs_render_offline(ui, demo):
    me = ui.person("developer")
    me.goto("/api/docs/")
    me.page.wait_for_selector(".opblock-tag", timeout=20_000)
    # Every tag is listed, folded (Swagger UI draws only operations near the viewport, so they start folded).
    tags = me.page.locator(".opblock-tag")
    assert tags.count() >= 30
    names = set(tags.all_inner_texts())
    for tag in ["organisations", "sites", "cases", "conversations", "plan-rows", "progress-indicators"]:
        assert any(name.strip().startswith(tag) for name in names), f"tag {tag} missing from the docs page"
    me.page.locator(".opblock-tag", has_text="plan-rows").first.click()
    me.page.wait_for_selector(".opblock-summary-path:has-text('/api/v1/plan-rows/')", timeout=10_000)
    assert "ILM API" in me.page.locator(".info .title").inner_text()
    me.snap("api-docs")
    ui.assert_clean()
