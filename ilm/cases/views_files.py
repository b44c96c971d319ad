"""Attachment downloads and case exports. (Being written.)"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
