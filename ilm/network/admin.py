from django.contrib import admin

from ilm.core.admin_site import ReadOnlyAdmin, admin_site
from ilm.network.models import Channel, Collaboration, Link, Organisation, Site


@admin.register(Organisation, site=admin_site)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "subkind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["countries", "industries"]


@admin.register(Site, site=admin_site)
class SiteAdmin(ReadOnlyAdmin):
    list_display = ["name", "supplier", "site_type", "country", "is_active"]
    list_filter = ["site_type", "country"]
    search_fields = ["name", "supplier__name"]
    raw_id_fields = ["supplier"]


@admin.register(Link, site=admin_site)
class LinkAdmin(ReadOnlyAdmin):
    list_display = ["kind", "customer", "provider", "tier", "status", "msa_status", "disclosed_to_buyers"]
    list_filter = ["kind", "status", "msa_status"]
    raw_id_fields = ["customer", "provider", "proposed_by"]


@admin.register(Channel, site=admin_site)
class ChannelAdmin(ReadOnlyAdmin):
    list_display = ["name", "cso", "provider", "is_active"]
    exclude = ["credentials"]  # secrets are never shown, not even here


@admin.register(Collaboration, site=admin_site)
class CollaborationAdmin(ReadOnlyAdmin):
    list_display = ["cso", "organisation", "since"]
