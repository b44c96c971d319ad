"""A test-only model with worker-like identity fields, to prove the encrypted field and blind index."""

from django.db import models
from simple_history.models import HistoricalRecords

from ilm.core.fields import BlindIndexField, EncryptedTextField


def normalize_phone(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit() or ch == "+")


class Person(models.Model):
    name = EncryptedTextField(purpose="tests.person.name", blank=True)
    phone = EncryptedTextField(purpose="tests.person.phone", blank=True)
    phone_index = BlindIndexField(source="phone", normalizer="tests.identityapp.models.normalize_phone")
    nationality = models.CharField(max_length=2, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Person {self.pk}"
