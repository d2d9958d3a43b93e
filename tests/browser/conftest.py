"""Real-browser fixtures: the app served by waitress on loopback, and Debian's Chromium driven by Playwright.

Run `make browser` first (installs Chromium with apt-get and axe-core with npm ci); Playwright never downloads one.
"""

import os
import threading
import time
import urllib.request
from dataclasses import dataclass

import pytest
from flask import Flask

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class LiveServer:
    url: str  # base URL, no trailing slash
    app: Flask


def _wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url}/healthz did not answer 200 within {timeout:.0f} s")
        time.sleep(0.1)


def serve(app) -> tuple[object, threading.Thread, str]:
    """Serve `app` with waitress on a free loopback port; returns the server, its thread and the base URL."""
    import waitress

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}"
    _wait_healthy(url)
    return server, thread, url


@pytest.fixture(scope="session")
def live_server(shipped_index):
    """The real app on the shipped index, warmed, served by waitress on a free loopback port."""
    from tests.helpers import app_on
    from web.services import services

    with pytest.MonkeyPatch.context() as mp:
        for key, value in shipped_index["env"].items():
            mp.setenv(key, value)
        app = app_on(shipped_index)
        with app.app_context():
            services().assistant  # noqa: B018 - load the model, index and assistant before the first page
        server, thread, url = serve(app)
        try:
            yield LiveServer(url=url, app=app)
        finally:
            server.close()
            thread.join(timeout=5)


@pytest.fixture(scope="module")
def curation_server(shipped_index, tmp_path_factory):
    """A second real server on a private copy of store, index and knowledge folder (publishing writes there),
    with the curators of tests.helpers.CURATORS (password CURATOR_PASSWORD)."""
    from tests.conftest import copy_of_shipped
    from tests.helpers import add_curators, app_on
    from web.services import services

    env = copy_of_shipped(shipped_index, tmp_path_factory.mktemp("curation-browser"))
    app = app_on(env, SECRET_KEY="curation-browser-secret")
    add_curators(app)
    with app.app_context():
        services().assistant  # noqa: B018 - warm
    server, thread, url = serve(app)
    try:
        yield LiveServer(url=url, app=app), env
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Debian Chromium with a fresh profile directory.

    Playwright's launch() refuses --user-data-dir in args, so the browser comes from launch_persistent_context()
    (which takes the directory as user_data_dir); tests get their own incognito-like contexts from its `.browser`.
    """
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: `make test` runs `make browser`, which should install it")
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        persistent = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            if persistent.browser is None:  # Playwright < 1.53 gives a persistent context no Browser
                pytest.fail("the browser tests need Playwright >= 1.53: its persistent context has a .browser")
            yield persistent.browser
        finally:
            persistent.close()


@pytest.fixture
def new_page(browser):
    """Factory: new_page(width=1280, height=900, javascript=True) -> a fresh page in its own context."""
    contexts = []

    def make(width: int = 1280, height: int = 900, javascript: bool = True):
        context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A fresh 1280x900 page with JavaScript on."""
    return new_page()
