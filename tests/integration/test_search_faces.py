"""`dropwire search` and `dropwire show` over articles the real pipeline stored (SQLite and
PostgreSQL): text and filters find them, pages chain by cursor, `show --json` gives offsets
that point into the body, and a bad query is one line and exit code 2, never a traceback."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result

from tests.support.pipeline import store_file
from tests.support.services import redis_db_url
from workers.cli import main
from workers.monitor import Monitor, MonitorServer
from workers.runtime import Runtime
from workers.settings import Settings

ESC = "\x1b"
HOSTILE_TITLE = f"[bold red]Iran[/] {ESC}]0;owned{ESC}\\ briefing"


@pytest.fixture
def rt(tmp_path: Path, database_url: str, samples: dict[str, bytes]) -> Runtime:
    settings = Settings(
        inbox=tmp_path / "inbox", data_dir=tmp_path / "var", database_url=database_url,
        redis_url="redis://unused",
    )  # fmt: skip
    settings.inbox.mkdir()
    runtime = Runtime(settings)
    files = {f"wire/{name}": data for name, data in samples.items()}
    first = next(iter(samples.values()))
    files["copies/again.txt"] = first  # an exact copy under another name
    files["wire/hostile.txt"] = f"{HOSTILE_TITLE}\n\nIran and Iraq talks resumed.".encode()
    for name, data in files.items():
        store_file(runtime, name, data)
    return runtime


def _cli(rt: Runtime, *args: str) -> Result:
    env = {
        "DROPWIRE_DATABASE_URL": rt.settings.effective_database_url,
        "DROPWIRE_REDIS_URL": "redis://unused",
        "DROPWIRE_INBOX": str(rt.settings.inbox),
        "DROPWIRE_DATA_DIR": str(rt.settings.data_dir),
        "COLUMNS": "2000",
    }
    return CliRunner().invoke(main, list(args), env=env)


def _json(rt: Runtime, *args: str) -> dict[str, object]:
    result = _cli(rt, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_search_finds_by_text_and_filters_and_pages_by_cursor(rt: Runtime) -> None:
    found = _json(rt, "search", "proxy war")
    hits = found["hits"]
    assert isinstance(hits, list) and hits
    assert {h["source_path"] for h in hits} >= {"wire/000_981d7471d11f99af.txt"}
    for hit in hits:  # the highlights point at the words searched for
        assert hit["highlights"]
        for start, end in hit["highlights"]:
            assert hit["snippet"][start:end].lower().startswith(("proxy", "war"))
    originals = _json(rt, "search", "proxy war", "--originals")["hits"]
    assert isinstance(originals, list) and len(originals) == len(hits) - 1  # the copy left out
    by_folder = _json(rt, "search", "--source", "copies/")["hits"]
    exported = _cli(rt, "export", "--source", "copies/")
    assert [json.loads(line)["source_path"] for line in exported.output.splitlines()] == [
        "copies/again.txt"
    ]
    assert [h["source_path"] for h in by_folder] == ["copies/again.txt"]  # type: ignore[index]
    seen: list[int] = []
    cursor: list[str] = []
    while True:
        page = _json(rt, "search", "--limit", "1", *cursor)
        seen.extend(h["id"] for h in page["hits"])  # type: ignore[union-attr]
        if not page["next_cursor"]:
            break
        cursor = ["--cursor", str(page["next_cursor"])]
    assert len(seen) == len(set(seen)) == 4


def test_search_by_entity_and_speaker_names(rt: Runtime) -> None:
    record = _json(rt, "show", "1")
    people = [m for m in record["mentions"] if m["label"] == "PERSON"]  # type: ignore[union-attr]
    assert people
    name = people[0]["text"]
    hits = _json(rt, "search", "--entity", name)["hits"]
    assert 1 in {h["id"] for h in hits}  # type: ignore[union-attr]
    speakers = [q["speaker"] for q in record["quotes"] if q["speaker"]]  # type: ignore[union-attr]
    if speakers:
        hits = _json(rt, "search", "--speaker", speakers[0])["hits"]
        assert 1 in {h["id"] for h in hits}  # type: ignore[union-attr]


def test_show_gives_the_whole_record_with_true_offsets(rt: Runtime) -> None:
    record = _json(rt, "show", "1")
    body = record["body"]
    assert isinstance(body, str)
    mentions = record["mentions"]
    assert isinstance(mentions, list) and mentions
    assert all(body[m["start"] : m["end"]] == m["text"] for m in mentions)
    assert all(body[q["start"] : q["end"]] == q["text"] for q in record["quotes"])  # type: ignore[union-attr]
    assert record["copies"], "the exact copy is listed"
    copy = _json(rt, "show", str(record["copies"][0]))  # type: ignore[index]
    assert copy["duplicate_of"] == 1 and copy["entities"] == record["entities"]


def test_terminal_faces_print_hostile_titles_inert(rt: Runtime) -> None:
    result = _cli(rt, "search", "talks")
    assert result.exit_code == 0, result.output
    assert "[bold red]Iran[/]" in result.output  # markup printed as text
    assert "]0;owned" in result.output and ESC not in result.output
    hit = next(h for h in _json(rt, "search", "talks")["hits"] if h["title"] is None)  # type: ignore[union-attr]
    assert (
        hit["display_title_derived"]
        and hit["display_title"]
        and hit["display_title"] in result.output
    )


@pytest.mark.parametrize(
    "args, reason",
    [
        (["search", "--", "-war"], "not excluded"),  # `--`: a query may start with -
        (["search", "--cursor", "garbage"], "cursor"),
        (["search", "--order", "relevance"], "needs a text"),
        (["search", "--since", "yesterday"], "yesterday"),
    ],
)
def test_a_bad_query_is_one_line_and_exit_2(rt: Runtime, args: list[str], reason: str) -> None:
    result = _cli(rt, *args)
    assert result.exit_code == 2
    assert reason in result.output and "Traceback" not in result.output


def test_show_of_a_missing_article_says_so(rt: Runtime) -> None:
    result = _cli(rt, "show", "999")
    assert result.exit_code == 1 and "no article with id 999" in result.output


# --- the HTTP face ---------------------------------------------------------------------------

READ_TOKEN = "read-test-token"


@pytest.fixture
def api(rt: Runtime) -> Iterator[int]:
    settings = rt.settings.model_copy(
        update={"redis_url": redis_db_url(), "monitor_port": 0, "read_token": READ_TOKEN}
    )
    server = MonitorServer(Monitor(Runtime(settings))).start()
    try:
        yield server.port
    finally:
        server.close()


def _get(port: int, path: str, token: str | None = READ_TOKEN) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "localhost"} | ({"Authorization": f"Bearer {token}"} if token else {})
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    return response.status, body


@pytest.mark.redis
def test_the_api_answers_what_the_cli_answers(rt: Runtime, api: int) -> None:
    status, page = _get(api, "/api/articles?q=proxy+war&limit=100")
    assert status == 200
    cli = _json(rt, "search", "proxy war", "--limit", "100")
    assert [h["id"] for h in page["hits"]] == [h["id"] for h in cli["hits"]]  # type: ignore[union-attr]
    status, record = _get(api, "/api/articles/1")
    assert status == 200 and record == _json(rt, "show", "1")
    status, spec = _get(api, "/api/openapi.json")
    assert status == 200 and {"/api/articles", "/api/articles/{article_id}"} <= set(spec["paths"])


@pytest.mark.redis
def test_the_api_pages_by_cursor(api: int) -> None:
    seen: list[int] = []
    path = "/api/articles?limit=1"
    while True:
        status, page = _get(api, path)
        assert status == 200
        seen.extend(h["id"] for h in page["hits"])
        if not page["next_cursor"]:
            break
        path = f"/api/articles?limit=1&cursor={quote(page['next_cursor'])}"
    assert len(seen) == len(set(seen)) == 4


@pytest.mark.redis
@pytest.mark.parametrize(
    "path, status",
    [
        ("/api/articles?q=-war", 400),
        ("/api/articles?q=" + "a" * 600, 400),
        ("/api/articles?q=%22%22%22%2A%28NEAR", 200),  # FTS syntax is just words here
        ("/api/articles?cursor=%00%01", 400),
        ("/api/articles?since=yesterday", 400),
        ("/api/articles?limit=1000", 400),
        ("/api/articles?order=sideways", 400),
        ("/api/articles?source=%25%27%3B--", 200),
        ("/api/articles/99999", 404),
        ("/api/articles/abc", 400),
        ("/api/articles?entity=a%00b", 400),  # PostgreSQL text cannot hold NUL
        ("/api/articles?source=%00", 400),
        ("/api/quotes?speaker=a%00", 400),
        ("/api/entities?label=%00", 400),
        ("/api/articles?cluster=99999999999999999999", 400),  # past INTEGER: no id, no 500
        ("/api/articles?entity_id=-1", 400),
        ("/api/articles/99999999999999999999", 404),
        ("/api/quotes?speaker=x&before=99999999999999999999", 400),
    ],
)
def test_hostile_requests_get_a_reason_never_a_500(api: int, path: str, status: int) -> None:
    got, body = _get(api, path)
    assert got == status, body
    if status != 200:
        assert set(body) == {"error"} and body["error"]


@pytest.mark.redis
def test_reading_needs_the_token_when_one_is_set(api: int) -> None:
    assert _get(api, "/api/articles", token=None)[0] == 401
    assert _get(api, "/api/articles/1", token="wrong")[0] == 401
    assert _get(api, "/api/articles/1")[0] == 200


def _lines(rt: Runtime, *args: str) -> list[dict[str, Any]]:
    result = _cli(rt, *args, "--json")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_quotes_by_speaker_and_top_entities_agree_with_the_records(rt: Runtime, api: int) -> None:
    records = [_json(rt, "show", str(i)) for i in range(1, 5)]
    said = {
        (q["speaker"], q["text"])
        for r in records
        if r["duplicate_of"] is None
        for q in r["quotes"]  # type: ignore[attr-defined]
        if q["speaker"] and not q["scare"]
    }
    assert said, "the samples quote named people"
    speaker = sorted(said)[0][0]
    found = _lines(rt, "quotes", "--speaker", speaker, "--limit", "100")
    assert {q["text"] for q in found} == {t for s, t in said if s == speaker}
    assert _get(api, f"/api/quotes?speaker={quote(speaker)}&limit=100")[1] == found
    top = _lines(rt, "entities", "--top", "5")
    assert top and top == sorted(top, key=lambda e: (-e["articles"], e["canonical"]))
    first = top[0]
    hits = _json(rt, "search", "--entity-id", str(first["id"]), "--originals", "--limit", "100")
    assert len(hits["hits"]) == first["articles"]  # type: ignore[arg-type]
    assert _get(api, "/api/entities?top=5")[1] == top
    assert _get(api, "/api/quotes?speaker=")[0] == 400


def test_json_faces_use_the_contract_names(rt: Runtime, api: int) -> None:
    """DESIGN.md §3: hits carry the export record's names; quotes article_id, text, speaker,
    start and end."""
    exported = {r["id"]: r for r in map(json.loads, _cli(rt, "export").output.splitlines())}
    for hit in _json(rt, "search", "proxy war")["hits"]:  # type: ignore[union-attr]
        record = exported[hit["id"]]
        assert {k: hit[k] for k in record} == record
        assert {"snippet", "highlights", "score"} <= set(hit)
    status, page = _get(api, "/api/articles?q=proxy+war")
    assert status == 200 and all(set(exported[h["id"]]) <= set(h) for h in page["hits"])
    speaker = next(
        q["speaker"]
        for r in exported.values()
        for q in r["quotes"]
        if q["speaker"] and not q["scare"]
    )
    for q in _lines(rt, "quotes", "--speaker", speaker):
        assert exported[q["article_id"]]["body"][q["start"] : q["end"]] == q["text"]
