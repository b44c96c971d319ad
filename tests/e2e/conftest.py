"""Browser tests: Debian Chromium driven by Playwright's sync API against pytest-django's live server.

Every test gets a fresh demo network (``manage.py demo``) and an ``ui`` helper that opens one browser
context per person. Each page visited is screenshotted to ``var/screenshots/`` and watched for CSP
violations, uncaught script errors and static assets that fail to load; ``ui.assert_clean()``
(called at the end of every test, and again at teardown) fails the test if any page had one.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django_otp.oath import totp
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.conftest import restore_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 360, "height": 780}
STATIC_TYPES = {"stylesheet", "script", "image", "font", "media"}

# Runs in every page before its own scripts: CSP violations are kept on the page (window.__cspViolations)
# and reported to the test at once (so they survive the navigation a form submission causes).
INIT_SCRIPT = """
(() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    const v = {page: document.location.href, directive: e.effectiveDirective || e.violatedDirective,
               blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample};
    window.__cspViolations.push(v);
    if (window.__ilmReportCsp) { window.__ilmReportCsp(v); }
  });
})();
"""


# --- the browser (one per test module) --------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, for the tests of one module.

    While Playwright's sync API is running, an asyncio loop runs in this thread and Django's ORM
    refuses to work (SynchronousOnlyOperation) unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The test thread
    only uses the ORM synchronously, so it is set here and unset again when the module is done: a plain
    `pytest` that also runs the other suites after these is not affected.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# --- the database ------------------------------------------------------------------------------------


@pytest.fixture
def e2e_db(chromium: Browser, live_server: Any) -> Iterator[None]:
    """A live-server test database with the reference data and the audit log's append-only triggers.

    The root conftest lifts the append-only triggers for the flush that ends every live-server test
    and puts back the triggers and the reference data (countries, industries) the flush removes.
    """
    restore_database()
    cache.clear()  # rate-limit counters live in the cache and would leak from one test to the next
    yield


# The demo network as the first test of the run loaded it (SQLite only): `manage.py demo` takes 15-30 s on
# this machine (every write goes through the services, with audit, history and encryption), so later tests get
# a copy of the database taken right after it, put back with SQLite's online backup in well under a second.
_DEMO_SNAPSHOT: dict[str, Any] = {}


def _sqlite_connection() -> sqlite3.Connection | None:
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    connection.ensure_connection()
    raw = connection.connection
    return raw if isinstance(raw, sqlite3.Connection) else None


@pytest.fixture
def demo(e2e_db: None, live_server: Any, tmp_path: Path) -> dict[str, dict[str, Any]]:
    """The demo network, fresh for every test; returns the credentials file's entries by username."""
    database = _sqlite_connection()
    if database is not None and "copy" in _DEMO_SNAPSHOT:
        _DEMO_SNAPSHOT["copy"].backup(database)  # the whole database, as `demo` left it
        return copy.deepcopy(_DEMO_SNAPSHOT["credentials"])
    path = tmp_path / "creds.json"
    call_command("demo", credentials=str(path), force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    credentials = {entry["username"]: entry for entry in json.loads(path.read_text())}
    if database is not None:
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        database.backup(snapshot)
        _DEMO_SNAPSHOT.update(copy=snapshot, credentials=credentials)
    return credentials


def code_for(secret_base32: str) -> str:
    """The 6-digit code an authenticator app shows now for this base32 secret."""
    key = base64.b32decode(secret_base32.replace(" ", "").upper())
    return str(totp(key, step=30, digits=6)).zfill(6)


def code_for_key(key: bytes) -> str:
    return str(totp(key, step=30, digits=6)).zfill(6)


# --- the ui helper -----------------------------------------------------------------------------------


@dataclass
class Problems:
    csp: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    missing_csp_header: list[str] = field(default_factory=list)
    soft: list[str] = field(default_factory=list)
    checked: bool = False

    def failing(self) -> list[str]:
        lines = []
        lines += [f"CSP violation: {p}" for p in self.csp]
        lines += [f"static asset failed: {p}" for p in self.assets]
        lines += [f"uncaught script error: {p}" for p in self.script_errors]
        lines += [f"page without the strict Content-Security-Policy: {p}" for p in self.missing_csp_header]
        lines += self.soft
        return lines


class Person:
    """One browser context (one person's cookies) and its page."""

    def __init__(self, ui: UI, name: str, viewport: dict[str, int], storage_state: Any = None) -> None:
        self.ui = ui
        self.name = name
        self.viewport = viewport
        self.context: BrowserContext = ui.browser.new_context(
            viewport=viewport,
            base_url=ui.base_url,
            locale="en-GB",
            timezone_id="Asia/Bangkok",
            device_scale_factor=1,
            is_mobile=viewport["width"] < 500,
            has_touch=viewport["width"] < 500,
            storage_state=storage_state,
        )
        self.context.set_default_timeout(15_000)
        self.context.expose_function("__ilmReportCsp", self._on_csp)
        self.context.add_init_script(INIT_SCRIPT)
        self.page: Page = self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: ui.problems.script_errors.append(f"{self.page.url}: {exc}"))
        self.page.on("response", self._on_response)
        self.page.on("requestfailed", self._on_request_failed)

    # events
    def _on_csp(self, violation: dict[str, Any]) -> None:
        self.ui.problems.csp.append(
            f"{violation.get('page')} blocked {violation.get('blocked') or 'inline'} "
            f"({violation.get('directive')}; {violation.get('source') or ''}:{violation.get('line') or ''}; "
            f"sample={violation.get('sample')!r})"
        )

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            text = f"{self.page.url}: {message.text}"
            self.ui.problems.console_errors.append(text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
                self.ui.problems.csp.append(text)

    def _on_response(self, response: Any) -> None:
        request = response.request
        url = response.url
        is_redirect = 300 <= response.status < 400
        is_download = response.headers.get("content-disposition", "").startswith("attachment")
        is_own_page = request.resource_type == "document" and url.startswith(self.ui.base_url) and not is_download
        policy = response.headers.get("content-security-policy", "")
        if is_own_page and not is_redirect and ("script-src 'self'" not in policy or "unsafe-" in policy):
            self.ui.problems.missing_csp_header.append(f"{url}: {policy!r}")
        if response.status >= 400 and (request.resource_type in STATIC_TYPES or "/static/" in url):
            self.ui.problems.assets.append(f"{response.status} {url} (on {self.page.url})")

    def _on_request_failed(self, request: Any) -> None:
        if request.resource_type in STATIC_TYPES or "/static/" in request.url:
            self.ui.problems.assets.append(f"failed {request.url}: {request.failure} (on {self.page.url})")

    # actions
    def goto(self, path: str, *, expect_status: int | None = 200) -> Any:
        response = self.page.goto(path)
        self.page.wait_for_load_state("load")
        if expect_status is not None:
            assert response is not None
            assert response.status == expect_status, f"GET {path}: HTTP {response.status}, expected {expect_status}"
        return response

    def submit(self, button: Any, *, expect_path: str | None = None) -> None:
        """Click a submit button and wait for the page it leads to."""
        with self.page.expect_navigation():
            button.click()
        self.page.wait_for_load_state("load")
        if expect_path is not None and not (self.path() == expect_path or re.fullmatch(expect_path, self.path())):
            errors = self.page.locator(".errorlist, .alert, .messages").all_inner_texts()
            name = re.sub(r"[^a-z0-9]+", "-", f"failed-submit-{self.path()}".lower()).strip("-")
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
            raise AssertionError(f"after submitting: at {self.path()}, expected {expect_path}; the page says: {errors}")

    def settle(self) -> None:
        """Wait until the page has loaded and any htmx request it started has been swapped in."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")

    def path(self) -> str:
        """The current URL's path, without the query string."""
        return re.sub(r"^https?://[^/]+", "", self.page.url).split("#")[0].split("?")[0]

    def main(self) -> Any:
        return self.page.locator("main")

    def menu_link(self, href: str | None = None, *, name: str | None = None, exact: bool = False) -> Any:
        """The main menu's link to `href` (by address, so that it works in every language) or named `name`, its
        group opened first when it sits in one, as a person would."""
        self.page.wait_for_load_state("load")
        nav = self.page.locator("nav.mainnav")  # its accessible name is translated
        if href is not None:
            inner, link = self.page.locator(f"a[href='{href}']"), nav.locator(f"a[href='{href}']")
        else:
            inner = self.page.get_by_role("link", name=name, exact=exact, include_hidden=True)
            link = nav.get_by_role("link", name=name, exact=exact)
        group = nav.locator("details").filter(has=inner)
        if group.count() and not group.first.evaluate("details => details.open"):
            group.first.locator("summary").click()
            assert group.first.evaluate("details => details.open"), f"the menu group of {href or name} did not open"
        return link.first

    def snap(self, name: str) -> Path:
        """Screenshot the whole page; also check its stylesheet applied and (on phones) nothing overflows."""
        self.page.wait_for_load_state("load")
        suffix = "" if self.viewport["width"] >= 1000 else f"-{self.viewport['width']}px"
        path = SCREENSHOTS / f"{name}{suffix}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        self.ui.screenshots.append(path)
        if "/static/" not in self.page.url and "/api/docs" not in self.page.url:
            styled = self.page.evaluate(
                "() => getComputedStyle(document.querySelector('header.topbar') || document.body).display"
            )
            assert styled == "flex", f"{name}: app.css did not apply (header display is {styled!r})"
        return path

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
        return int(
            self.page.evaluate(
                # Against the width asked for, not window.innerWidth: a mobile Chromium widens its layout
                # viewport to fit overflowing content, so innerWidth grows with the overflow.
                "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
                f" - {self.viewport['width']}"
            )
        )

    def sign_in(self, credentials: dict[str, Any], *, shots: str | None = None) -> None:
        """Password page, then the code page, then home."""
        self.goto("/accounts/login/")
        if shots:
            self.snap(f"{shots}-1-password")
        main = self.main()
        main.locator("#id_username").fill(credentials["username"])
        main.locator("#id_password").fill(credentials["password"])
        self.submit(main.locator("form button[type=submit]"), expect_path="/accounts/login/verify/")
        if shots:
            self.snap(f"{shots}-2-code")
        assert credentials["totp_secret"], f"{credentials['username']} has no authenticator in the demo"
        main.locator("#id_token").fill(code_for(credentials["totp_secret"]))
        self.submit(main.locator("form button[type=submit]"), expect_path="/")
        if shots:
            self.snap(f"{shots}-3-home")

    def close(self) -> None:
        self.context.close()


class UI:
    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self.problems = Problems()
        self.people: list[Person] = []
        self.screenshots: list[Path] = []

    def person(
        self, name: str = "person", viewport: dict[str, int] | None = None, *, same_session_as: Person | None = None
    ) -> Person:
        """A new browser context; `same_session_as` copies another's cookies (no second sign-in)."""
        state = same_session_as.context.storage_state() if same_session_as else None
        person = Person(self, name, viewport or DESKTOP, storage_state=state)
        self.people.append(person)
        return person

    def check(self, condition: Any, message: str) -> bool:
        """A check that does not stop the test: a failure is reported by assert_clean() at the end."""
        if not condition:
            self.problems.soft.append(f"check failed: {message}")
        return bool(condition)

    def assert_clean(self) -> None:
        """Fail if any page had a CSP violation, a failed static asset, an uncaught script error or a
        failed ui.check()."""
        for person in self.people:  # let pending events (exposed-function calls) arrive
            with contextlib.suppress(Exception):
                person.page.wait_for_timeout(50)
        self.problems.checked = True
        failing = self.problems.failing()
        assert not failing, "Problems seen in the browser:\n  " + "\n  ".join(dict.fromkeys(failing))

    def close(self) -> None:
        for person in self.people:
            person.close()


@pytest.fixture
def ui(chromium: Browser, live_server: Any, demo: dict[str, dict[str, Any]]) -> Iterator[UI]:
    helper = UI(chromium, live_server.url)
    yield helper
    try:
        if not helper.problems.checked and helper.problems.failing():
            # The test stopped before its own check; still show what the browser saw.
            print("Browser problems before the test stopped:\n  " + "\n  ".join(helper.problems.failing()))
    finally:
        helper.close()
