"""Identity fields are ciphertext at rest (tables and history tables); keys rotate; blind indexes match."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from ilm.core import crypto
from ilm.core.fields import blind_index_for
from tests.identityapp.models import Person

pytestmark = pytest.mark.django_db

NAME = "Aung Kyaw Canary"
PHONE = "+66 81 234 5678"


def raw_column(table: str, column: str, pk: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_values_are_ciphertext_in_table_and_history():
    person = Person.objects.create(name=NAME, phone=PHONE, nationality="MM")
    person.name = NAME + " (updated)"
    person.save()

    stored = raw_column("identityapp_person", "name", person.pk)[0]
    assert stored.startswith("enc1$t1$")
    assert "Aung" not in stored and "Canary" not in stored
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM identityapp_historicalperson WHERE id = %s", [person.pk])
        history = cursor.fetchall()
    assert len(history) == 2
    for name, phone in history:
        assert name.startswith("enc1$") and phone.startswith("enc1$")
        assert "Canary" not in name and "5678" not in phone
    # Python sees plaintext, in the model and in its history.
    assert Person.objects.get(pk=person.pk).name == NAME + " (updated)"
    assert {h.name for h in person.history.all()} == {NAME, NAME + " (updated)"}


def test_same_value_encrypts_differently_each_time():
    a = crypto.encrypt(PHONE, purpose="p")
    b = crypto.encrypt(PHONE, purpose="p")
    assert a != b
    assert crypto.decrypt(a, purpose="p") == crypto.decrypt(b, purpose="p") == PHONE


def test_ciphertext_is_bound_to_its_purpose_and_authenticated():
    token = crypto.encrypt(NAME, purpose="cases.worker.name")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, purpose="cases.worker.phone")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered, purpose="cases.worker.name")


def test_encrypted_field_refuses_searching_the_ciphertext():
    with pytest.raises(FieldError):
        list(Person.objects.filter(name__icontains="Aung"))


def test_blind_index_finds_exact_match_after_normalisation():
    person = Person.objects.create(name=NAME, phone=PHONE)
    digest = blind_index_for(Person, "phone", "+66812345678")
    assert Person.objects.filter(phone_index=digest).get() == person
    assert PHONE not in raw_column("identityapp_person", "phone_index", person.pk)[0]
    assert not Person.objects.filter(phone_index=blind_index_for(Person, "phone", "+66812345679")).exists()


def test_rotate_keys_re_encrypts_everything_and_keeps_it_readable():
    old_first = "t0:dGVzdC1rZXktemVyby10aGlydHktdHdvLWJ5dGVzISE=,t1:dGVzdC1rZXktb25lLXRoaXJ0eS10d28tYnl0ZXMhISE="
    with override_settings(ILM_ENCRYPTION_KEYS=old_first):
        people = [Person.objects.create(name=f"{NAME} {i}", phone=f"+6681000{i:04d}") for i in range(7)]
        for person in people[:3]:
            person.phone = person.phone + "9"
            person.save()
        assert raw_column("identityapp_person", "name", people[0].pk)[0].startswith("enc1$t0$")

    # New key t1 first, old key t0 still present: everything is readable, then rotate.
    call_command("rotate_keys", verbosity=0)
    for person in people:
        name = raw_column("identityapp_person", "name", person.pk)[0]
        assert name.startswith("enc1$t1$")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM identityapp_historicalperson")
        assert all(n.startswith("enc1$t1$") and p.startswith("enc1$t1$") for n, p in cursor.fetchall())

    # With the old key removed entirely, every value and every history row still reads.
    only_new = "t1:dGVzdC1rZXktb25lLXRoaXJ0eS10d28tYnl0ZXMhISE="
    with override_settings(ILM_ENCRYPTION_KEYS=only_new):
        assert sorted(p.name for p in Person.objects.all()) == sorted(f"{NAME} {i}" for i in range(7))
        assert Person.history.count() == 10
        assert all(h.phone for h in Person.history.all())
        digest = blind_index_for(Person, "phone", people[5].phone)
        assert Person.objects.get(phone_index=digest).pk == people[5].pk


def test_channel_credentials_are_encrypted_and_never_in_the_api(client):
    from tests.conftest import sign_in
    from tests.worlds import build_world

    world = build_world()
    channel = world.outsiders["channel"][0]
    stored = raw_column("network_channel", "credentials", channel.pk)[0]
    assert stored.startswith("enc1$") and "s3cret" not in stored
    sign_in(client, world.members[("tp", "admin")])
    response = client.get(f"/api/v1/channels/{channel.pk}/")
    assert response.status_code == 200
    assert "s3cret" not in response.content.decode() and "credentials" not in response.json()
