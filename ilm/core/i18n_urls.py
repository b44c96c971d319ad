"""Language switcher: remembered in a cookie and, for a signed-in user, on their account."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from ilm.core.i18n_views import set_language_view

urlpatterns = [
    path("setlang/", login_not_required(set_language_view), name="set_language"),
]
