"""The shipped Prometheus rules and Grafana dashboard use only series the monitor's /metrics
exposes (names, labels and label values), and `promtool` accepts the rules and fires each
alert on its synthetic series."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from workers.metrics import metrics_text
from workers.snapshot import (
    ArticleCounts,
    FileCounts,
    Latency,
    LostWorker,
    NlpTime,
    QueueStats,
    QueueView,
    Quiet,
    Snapshot,
    Throughput,
    WorkerView,
)

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
RULES_TEST = ROOT / "deploy" / "prometheus" / "alerts.test.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "dropwire.json"
# Series Prometheus makes itself for every scrape target.
PROMETHEUS_OWN = {"up"}
SELECTOR = re.compile(r"\b(?P<name>[a-z_][a-z0-9_]*)\s*(?:\{(?P<labels>[^}]*)\})?")
MATCHER = re.compile(r'(?P<label>\w+)\s*(?P<op>=~|!=|!~|=)\s*"(?P<value>[^"]*)"')


def full_snapshot() -> Snapshot:
    """Every field set, so every family the monitor can expose has samples."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    queues = tuple(
        QueueView(name, QueueStats(3, 1, 12.5), workers=1, ledger_in_flight=4, consuming=True)
        for name in ("ingest", "nlp")
    )
    worker = WorkerView(
        "nlp@host", ("nlp",), 1, 1, 42, 9, now, 1.5, 2.0, state="busy", consuming=True
    )
    return Snapshot(
        generated_at=now,
        broker_up=True,
        queues=queues,
        workers=(worker,),
        workers_lost=(LostWorker("gone@host", now, 99.0),),
        articles=ArticleCounts(done=5, failed=1, duplicates=1, queued=2, pending=1, processing=1),
        ledger_states={"done": 5},
        files=FileCounts(9, 1, 1, 2, 3, False),
        throughput=Throughput(1.0, 2.0, 3.0),
        latency=Latency(1.0, 2.0),
        nlp=NlpTime(0.5, 0.9, 3),
        quiet=Quiet(False, 10.0, 300.0),
        last_stored_at=now,
        recent_articles=(),
        recent_failures=(),
    )


def exposed() -> dict[str, list[dict[str, str]]]:
    """Metric name → the label sets of its samples, as /metrics writes them."""
    text = metrics_text(full_snapshot()).decode()
    return {
        family.name: [sample.labels for sample in family.samples]
        for family in text_string_to_metric_families(text)
    }


def rule_expressions() -> Iterator[tuple[str, str]]:
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            yield rule["alert"], rule["expr"]
            for text in rule.get("annotations", {}).values():
                for query in re.findall(r'query\s+"([^"]+)"', text):
                    yield rule["alert"], query


def dashboard_expressions() -> Iterator[tuple[str, str]]:
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]


def series_used(expr: str) -> Iterator[tuple[str, str]]:
    """(metric name, label matchers) of every selector in a PromQL expression."""
    without_by = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr)
    for match in SELECTOR.finditer(without_by):
        name = match["name"]
        if name.startswith("dropwire_") or name in PROMETHEUS_OWN:
            yield name, match["labels"] or ""


def problems_in(where: str, expr: str, metrics: dict[str, list[dict[str, str]]]) -> list[str]:
    found = []
    for name, labels in series_used(expr):
        if name in PROMETHEUS_OWN:
            continue
        if name not in metrics:
            found.append(f"{where}: {name} is not exposed")
            continue
        for m in MATCHER.finditer(labels):
            values = {s.get(m["label"]) for s in metrics[name]} - {None}
            if not values:
                found.append(f"{where}: {name} has no label {m['label']}")
            elif m["op"] in ("=", "=~"):
                wanted = m["value"].split("|") if m["op"] == "=~" else [m["value"]]
                found += [
                    f"{where}: {name}{{{m['label']}={w!r}}}" for w in wanted if w not in values
                ]
    return found


def test_the_cross_check_finds_a_misspelt_name_and_label_value() -> None:
    metrics = exposed()
    assert problems_in("x", "dropwire_queue_deph > 1", metrics)
    assert problems_in("x", 'dropwire_latency_seconds{quantile="0.99"}', metrics)
    assert problems_in("x", 'sum by (queue) (dropwire_queue_depth{queue="ingest"})', metrics) == []


def test_rules_use_only_exposed_series() -> None:
    metrics = exposed()
    expressions = list(rule_expressions())
    assert expressions
    problems = [p for where, expr in expressions for p in problems_in(where, expr, metrics)]
    assert problems == []


def test_dashboard_uses_only_exposed_series() -> None:
    metrics = exposed()
    expressions = list(dashboard_expressions())
    assert len(expressions) >= 10
    problems = [p for where, expr in expressions for p in problems_in(where, expr, metrics)]
    assert problems == []


def test_dashboard_shows_queues_throughput_latency_failures_and_workers() -> None:
    used = {name for _, expr in dashboard_expressions() for name, _ in series_used(expr)}
    for family in (
        "dropwire_queue_depth",
        "dropwire_throughput_per_minute",
        "dropwire_latency_seconds",
        "dropwire_files",
        "dropwire_workers",
    ):
        assert family in used, family


def test_every_alert_has_a_firing_case() -> None:
    alerts = {name for name, _ in rule_expressions()}
    fired: set[str] = set()
    for case in yaml.safe_load(RULES_TEST.read_text())["tests"]:
        for check in case.get("alert_rule_test", []):
            if check.get("exp_alerts"):
                fired.add(check["alertname"])
    assert alerts == fired


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        message = "promtool is not installed (Debian: apt-get install prometheus)"
        if os.environ.get("DROPWIRE_REQUIRE_SERVICES") == "1":
            pytest.fail(message + " and DROPWIRE_REQUIRE_SERVICES=1", pytrace=False)
        pytest.skip(message)
    return found


def run_promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *args], cwd=RULES.parent, capture_output=True, text=True, timeout=120
    )


def test_promtool_checks_the_rules() -> None:
    result = run_promtool("check", "rules", RULES.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_fires_each_alert_on_its_synthetic_series() -> None:
    result = run_promtool("test", "rules", RULES_TEST.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_notices_a_wrong_expectation(tmp_path: Path) -> None:
    """The rules test can fail: an alert expected where its series stays healthy."""
    data: dict[str, Any] = yaml.safe_load(RULES_TEST.read_text())
    data["rule_files"] = [str(RULES)]
    data["tests"][0]["alert_rule_test"][0]["exp_alerts"] = [{"exp_labels": {}}]
    broken = tmp_path / "broken.test.yml"
    broken.write_text(yaml.safe_dump(data))
    result = subprocess.run(
        [promtool(), "test", "rules", str(broken)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
