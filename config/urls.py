"""Top-level URLs: pages, the API under /api/v1/, its schema and offline docs, and the admin."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from ilm.accounts.views import set_language_view
from ilm.core.admin_site import admin_site

urlpatterns = [
    path("", include("ilm.dashboards.urls")),
    path("accounts/", include("ilm.accounts.urls")),
    path("network/", include("ilm.network.urls")),
    path("cases/", include("ilm.cases.urls")),
    path("channels/", include("ilm.channels.urls")),
    path("plans/", include("ilm.plans.urls")),
    path("recruitment/", include("ilm.recruitment.urls")),
    path("surveys/", include("ilm.surveys.urls")),
    path("jobs/", include("ilm.jobs.urls")),
    path("indicators/", include("ilm.indicators.urls")),
    path("statistics/", include("ilm.public.urls")),
    path("audit/", include("ilm.core.urls")),
    path("i18n/setlang/", login_not_required(set_language_view), name="set_language"),
    path("api/", include("ilm.api.urls")),
    path("admin/", admin_site.urls),
]

handler403 = "ilm.core.views.permission_denied"
handler404 = "ilm.core.views.page_not_found"
handler500 = "ilm.core.views.server_error"
