"""The search page in real headless Chromium over a real monitor and database: a query finds
the stored articles with the words marked, the article view marks entities and quotations at
their offsets and links an exact copy to its original, and hostile titles and bodies show as
text, never as elements."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_dashboard import browser_page  # noqa: F401  (the fixture)
from tests.support.pipeline import store_file
from tests.support.services import redis_db_url
from workers.monitor import Monitor, MonitorServer
from workers.runtime import Runtime
from workers.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.redis]

STORY = (
    "Harbour works begin in Valletta\n\n"
    "VALLETTA (Wire) — Work on the new breakwater in Grand Harbour began on Monday, "
    'Transport Minister Clara Vella said. "The harbour has waited thirty years for this," '
    "said Clara Vella at the Malta Maritime Authority.\n\n"
    "Engineers from Genoa and Rotterdam inspected the seabed near Fort St Elmo.\n"
)
HOSTILE = (
    "Breakwater <img src=x onerror=alert(1)> [red]news[/red]\n\n"
    "The breakwater <script>alert(2)</script> contract was signed in Valletta on Tuesday.\n"
)


@pytest.fixture
def port(tmp_path: Path, database_url: str) -> Iterator[int]:
    settings = Settings(
        inbox=tmp_path / "inbox", data_dir=tmp_path / "var", database_url=database_url,
        redis_url=redis_db_url(), monitor_port=0,
    )  # fmt: skip
    settings.inbox.mkdir()
    rt = Runtime(settings)
    store_file(rt, "valletta.txt", STORY.encode())
    store_file(rt, "copy-of-valletta.txt", STORY.encode())
    store_file(rt, "hostile.txt", HOSTILE.encode())
    server = MonitorServer(Monitor(rt)).start()
    try:
        yield server.port
    finally:
        server.close()


def test_search_marks_matches_and_the_article_view_marks_entities_and_quotes(
    port: int,
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    page.goto(f"http://127.0.0.1:{port}/search")
    page.wait_for_selector("body[data-searches='1']", timeout=10_000)
    assert page.locator("#results li").count() == 3  # every stored article, newest first
    page.fill("#q", "breakwater")
    page.click("#go")
    page.wait_for_selector("body[data-searches='2']")
    marks = page.locator("#results li mark").all_inner_texts()
    assert len(marks) >= 3 and all(m.lower() == "breakwater" for m in marks)
    assert page.locator("#results img, #results script").count() == 0  # text, not elements
    hostile = page.locator("#results li", has_text="onerror")
    assert "<img src=x onerror=alert(1)>" in hostile.inner_text()

    page.fill("#q", '"grand harbour"')
    page.check("input[name=originals]")
    page.click("#go")
    page.wait_for_selector("body[data-searches='3']")
    assert page.locator("#results li").count() == 1
    page.click("#results li a.title")
    page.wait_for_selector("body[data-article]")
    people = page.locator("#article-body .ent.PERSON").all_inner_texts()
    assert "Clara Vella" in people
    quotes = page.locator("#article-body .quote").all_inner_texts()
    assert any("waited thirty years" in q for q in quotes)
    assert "Clara Vella" in page.inner_text("#article-quotes")
    copies = page.locator("#article-links a")
    assert copies.count() >= 1
    original = page.get_attribute("#article", "data-id")
    copies.first.click()
    page.wait_for_selector(f"#article:not([data-id='{original}'])")
    assert "copy of" in page.inner_text("#article-links")


def test_a_bad_query_shows_its_reason(port: int, browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    page.goto(f"http://127.0.0.1:{port}/search")
    page.wait_for_selector("body[data-searches='1']", timeout=10_000)
    page.fill("#q", "-breakwater")
    page.click("#go")
    page.wait_for_selector("body[data-searched=error]")
    assert "not excluded" in page.inner_text("#message")
