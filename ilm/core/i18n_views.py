from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language


@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    """Django's set_language, plus: a signed-in user's choice is saved on their account."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and hasattr(user, "preferred_language"):
        from django.conf import settings

        if language in dict(settings.LANGUAGES) and user.preferred_language != language:
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
    return response
