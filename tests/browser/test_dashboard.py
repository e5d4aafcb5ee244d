"""The dashboard in real headless Chromium (Debian's `chromium`, driven by Playwright; no
browser download). Install it with `scripts/ensure-chromium.sh`.

The page must show what `/api/status` says, and its Retry button must bring a failed file
back to `done` once the cause is fixed: here the file was over DROPWIRE_MAX_FILE_BYTES, the
operator raises the limit and restarts the service, then presses Retry. A stored file whose
path and headline hold HTML and Rich markup must show as text, not as elements.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.service import Service, free_port, running_service, stop, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CHROMIUM = os.environ.get("DROPWIRE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "dashboard-test-token"
SMALL_LIMIT = 1500  # bytes: the long story below is over it, the short ones are not
# A file in the inbox's folder "a[": its ledger path reads like markup and HTML.
HOSTILE_PATH = "a[/b] <img src=x onerror=alert(1)>.txt"
HOSTILE_TITLE = "Harbour <i>works</i> [red]begin[/red]"
# No headline line: stored with title None.
UNTITLED_BRIEF = (
    "VALLETTA (Wire) — Divers found a second wreck off Fort St Elmo on Tuesday, the heritage "
    "authority said, the third find this year in Grand Harbour. Work on the breakwater paused "
    "while archaeologists surveyed the site.\n"
)

STORY = (
    "Harbour works begin in Valletta\n\n"
    "VALLETTA (Wire) — Work on the new breakwater in Grand Harbour began on Monday, "
    'Transport Minister Clara Vella said. "The harbour has waited thirty years for this," '
    "she told reporters at the Malta Maritime Authority.\n\n"
)


def _story(i: int, paragraphs: int) -> bytes:
    body = "".join(
        f"Paragraph {p} of report {i}: engineers from Genoa and Rotterdam inspected the "
        f"seabed near Fort St Elmo on day {p}, and the contractor Marsa Works reported "
        f"progress to the council of Birgu.\n\n"
        for p in range(paragraphs)
    )
    return (STORY.replace("Valletta\n", f"Valletta, part {i}\n") + body).encode()


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return CHROMIUM if Path(CHROMIUM).exists() else str(shutil.which("chromium"))
    message = f"no Chromium at {CHROMIUM}: run scripts/ensure-chromium.sh"
    if os.environ.get("DROPWIRE_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " (DROPWIRE_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def browser_page() -> Iterator[Any]:
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        try:
            yield page
        finally:
            browser.close()


def _status(service: Service) -> dict[str, Any]:
    port = service.env["DROPWIRE_MONITOR_PORT"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=5) as resp:
        return dict(json.loads(resp.read()))


def _settled(service: Service, done: int, failed: int) -> dict[str, Any] | None:
    snap = _status(service)
    a = snap["articles"]
    return snap if (a["done"], a["failed"], a["queued"]) == (done, failed, 0) else None


def _shows(page: Any, snap: dict[str, Any]) -> bool:
    """Whether every count card says what `snap` says."""
    a, f = snap["articles"], snap["files"]
    expected = {
        "count-done": a["done"],
        "count-duplicates": a["duplicates"],
        "count-failed": a["failed"],
        "count-queued": a["queued"],
        "count-backlog": f["inbox_backlog"],
        "count-seen": f["seen"],
    }
    return all(page.text_content(f"#{k}") == str(v) for k, v in expected.items())


def test_dashboard_shows_status_and_retry_brings_a_fixed_file_back(
    tmp_path: Path, browser_page: Any
) -> None:
    page = browser_page
    port = str(free_port())
    common = {"DROPWIRE_MONITOR_PORT": port, "DROPWIRE_MONITOR_TOKEN": TOKEN}
    big = _story(99, 12)
    assert len(big) > SMALL_LIMIT

    with running_service(tmp_path, DROPWIRE_MAX_FILE_BYTES=str(SMALL_LIMIT), **common) as svc:
        for i in range(3):
            svc.drop(f"short-{i}.txt", _story(i, 1))
        (svc.inbox / "a[").mkdir()
        svc.drop(HOSTILE_PATH, _story(7, 1).replace(b"Harbour works begin", HOSTILE_TITLE.encode()))
        svc.drop("long.txt", big)
        svc.drop("brief.txt", UNTITLED_BRIEF.encode())
        snap = wait_for(lambda: _settled(svc, 5, 1), 40, "5 stored and 1 failed")
        (failure,) = snap["recent_failures"]
        assert failure["source_path"] == "long.txt"

        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("body[data-loaded=true]", timeout=10_000)
        wait_for(lambda: _shows(page, _status(svc)), 10, "the page to show /api/status's counts")
        row = page.locator(f'tr[data-failure="{failure["id"]}"]')
        assert "long.txt" in row.inner_text() and failure["reason"] in row.inner_text()
        assert page.is_visible("#token") and not page.is_visible("#actions-disabled")
        for w in snap["workers"]:
            assert page.locator(f'tr[data-worker="{w["name"]}"]').count() == 1
        (hostile,) = [a for a in snap["recent_articles"] if a["source_path"] == HOSTILE_PATH]
        row = page.locator(f"tr#article-{hostile['id']}")
        assert HOSTILE_PATH in row.inner_text() and hostile["title"] in row.inner_text()
        assert hostile["title"].startswith("Harbour <i>works</i> [red]begin[/red]")
        assert page.locator("#articles img, #articles i").count() == 0  # text, not elements
        # An untitled brief shows its lede's first clause, marked as derived.
        (brief,) = [a for a in snap["recent_articles"] if a["source_path"] == "brief.txt"]
        assert brief["title"] is None and brief["title_derived"] is True
        assert brief["display_title"].startswith("Divers found a second wreck")
        cell = page.locator(f"tr#article-{brief['id']} td.derived")
        assert brief["display_title"] in cell.inner_text() and "derived" in cell.inner_text()
        assert stop(svc) == 0

    # The operator fixes the cause (raises the limit), restarts, and presses Retry.
    with running_service(tmp_path, DROPWIRE_MAX_FILE_BYTES=str(10 * len(big)), **common) as svc:
        page.wait_for_selector(f'tr[data-failure="{failure["id"]}"] button.retry', timeout=15_000)
        page.fill("#token", TOKEN)
        page.click("#token-save")
        page.click(f'tr[data-failure="{failure["id"]}"] button.retry')
        page.wait_for_selector("#action-message.good", timeout=10_000)
        after = wait_for(lambda: _settled(svc, 6, 0), 40, "the retried file to be stored")
        wait_for(lambda: _shows(page, _status(svc)), 10, "the page to show the new counts")
        assert page.text_content("#failures tbody") == "no failures"
        stored = {a["source_path"] for a in after["recent_articles"]}
        assert "long.txt" in stored
        assert (tmp_path / "inbox" / "done" / "long.txt").exists()
        # Charts have data once a few history samples exist.
        page.wait_for_function(
            "document.querySelectorAll('#chart-depth polyline').length >= 2", timeout=15_000
        )
        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"dashboard screenshot: {shot}")
        assert stop(svc) == 0
