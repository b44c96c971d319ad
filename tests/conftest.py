from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from ilm.accounts.middleware import SESSION_MEMBERSHIP, SESSION_SIGNED_IN_AT
from ilm.accounts.models import Membership, TOTPDevice


def sign_in(client: Client, membership: Membership, *, verified: bool = True) -> Client:
    """Sign `membership.user` in, acting for `membership`, with two-factor verified (unless told not)."""
    import time

    user = membership.user
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_MEMBERSHIP] = membership.pk
    session[SESSION_SIGNED_IN_AT] = time.time()
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


class _Executor:
    """Enough of a schema editor to run a migration's RunPython functions against the test database."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection

    def execute(self, sql: str, params: Any = None) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)


def set_audit_triggers(enabled: bool) -> None:
    """Transactional tests (and the live server) end with a flush of every table, which the append-only
    audit log refuses. Around those tests only, the triggers are lifted for the flush."""
    migration = importlib.import_module("ilm.core.migrations.0002_audit_append_only")
    executor = _Executor()
    migration.down(None, executor)  # DROP ... IF EXISTS: safe to run any time
    if enabled:
        migration.up(None, executor)


class _Flushed:
    """Whether a transactional test's flush has removed the triggers and reference data since the last restore
    that was committed (outside a test's transaction). Until then every test restores them inside its own
    transaction; otherwise nothing is to restore, and each test skips the DDL and the lookups."""

    since_restore = False


def restore_database() -> None:
    """Put back what migrations made and a flush removed: the audit triggers and the reference data."""
    from django.apps import apps

    from ilm.network.models import Country

    set_audit_triggers(True)
    if not Country.objects.exists():
        importlib.import_module("ilm.network.migrations.0002_reference_data").load(apps, _Executor())
    from ilm.cases.models import IssueCategory

    if not IssueCategory.objects.exists():
        importlib.import_module("ilm.cases.migrations.0002_issue_categories").load(apps, _Executor())
    from ilm.plans.models import Activity

    if not Activity.objects.exists():
        importlib.import_module("ilm.plans.migrations.0002_activity_catalogue").load(apps, _Executor())
    from ilm.surveys.models import QuestionSet

    if not QuestionSet.objects.exists():
        importlib.import_module("ilm.surveys.migrations.0002_standard_question_set").load(apps, _Executor())


@contextlib.contextmanager
def kept_for_module(django_db_blocker: Any) -> Iterator[None]:
    """For a module-scoped fixture: what it writes stays for each of the module's tests (each of them runs in a
    savepoint inside this transaction and is rolled back to it) and is rolled back after the module's last test.
    The way Django's TestCase.setUpTestData shares its data; only for modules with no transactional test."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def private_storage(tmp_path: Any, settings: Any) -> Any:
    """Files go to a throw-away directory on disk (not memory), so a test can tell whether anything was written
    and tools that read files (pdftotext) can open them. A module uses it for all its tests with
    `pytest.mark.usefixtures("private_storage")`."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """A request in Thai leaves Thai active in the thread (LocaleMiddleware and the user's language activate it
    for the request and, as in Django, nothing deactivates it after): the next test must not inherit it."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Rate-limit and throttle counters live in the cache; user ids repeat between tests."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _audit_log_flushable(request: pytest.FixtureRequest) -> Any:
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        if marker is not None:
            request.getfixturevalue("db")
            if _Flushed.since_restore:
                restore_database()  # inside the test's transaction: undone with it, so done again by the next
        yield
        return
    request.getfixturevalue("transactional_db")  # set up inside this fixture, so torn down (flushed) after it
    restore_database()
    yield
    set_audit_triggers(False)
    _Flushed.since_restore = True


@pytest.fixture(scope="module", autouse=True)
def _leave_database_as_found(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """After a module's last test (and its flush, if any), restore triggers and reference data."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        # A module whose tests never touched the database (run alone) has nothing to restore.
        if "core_auditevent" in connection.introspection.table_names():
            restore_database()
            _Flushed.since_restore = False


@pytest.fixture
def signed_in(client: Client) -> Any:
    def _sign_in(membership: Membership, **kwargs: Any) -> Client:
        return sign_in(client, membership, **kwargs)

    return _sign_in
