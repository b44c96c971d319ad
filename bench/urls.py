"""The project's URLs plus hello-world baselines, used with override_settings(ROOT_URLCONF="bench.urls").

/bench/hello/       plain Django view; requested signed in (session + verified two-factor), so it pays
                    the same middleware as the site list: session read and save, user, OTP device,
                    login-required and two-factor checks.
/bench/hello-anon/  the same view marked login_not_required, requested without a session (reference only).
/api/bench/hello/   a DRF view with the project's default authentication and permission classes,
                    requested with the same Bearer token as the API list (reference only).
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


class ApiHello(APIView):
    def get(self, request: Request) -> Response:
        return Response({"hello": "world"})


urlpatterns = [
    path("bench/hello/", hello, name="bench-hello"),
    path("bench/hello-anon/", login_not_required(hello), name="bench-hello-anon"),
    path("api/bench/hello/", ApiHello.as_view(), name="bench-api-hello"),
    *project_urlpatterns,
]
