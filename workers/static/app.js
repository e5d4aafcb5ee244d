// The dropwire dashboard: polls /api/status and /api/history, draws SVG charts, retries
// failures with the token kept in localStorage. Every text from the server goes through
// textContent: titles and reasons come from dropped files and are not trusted.
"use strict";

const POLL_MS = 2000;
const TOKEN_KEY = "dropwire.monitorToken";
const SVG_NS = "http://www.w3.org/2000/svg";
const state = { history: [], lastT: 0, actionsEnabled: false, busy: false };

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmt(v, digits) {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number" && digits !== undefined) return v.toFixed(digits);
  return String(v);
}

function setText(id, text) { document.getElementById(id).textContent = text; }

function fillTable(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren(...rows);
}

// ------------------------------------------------------------------ status

function renderSummary(s) {
  const a = s.articles, f = s.files || {};
  setText("count-done", fmt(a.done));
  setText("count-duplicates", fmt(a.duplicates));
  setText("count-failed", fmt(a.failed));
  setText("count-queued", fmt(a.queued));
  setText("count-backlog", fmt(f.inbox_backlog));
  setText("count-seen", fmt(f.seen));
  const t = s.throughput || {};
  setText("throughput", `${fmt(t["1m"])} · ${fmt(t["5m"])} · ${fmt(t["15m"])}`);
  const l = s.latency_seconds || {};
  setText("latency", `${fmt(l.p50)} s · ${fmt(l.p95)} s`);
  const n = s.nlp_seconds || {};
  setText("nlp", n.avg === null || n.avg === undefined ? "–" : `${fmt(n.avg, 2)} s (p95 ${fmt(n.p95, 2)})`);
  setText("updated", `updated ${new Date(s.generated_at).toLocaleTimeString()}`);
}

function renderHealth(s) {
  const pill = document.getElementById("health");
  const stalled = Object.values(s.queues).some((q) => q.consuming === false);
  let text = "healthy", cls = "ok";
  if (!s.broker_up) { text = "broker down"; cls = "bad"; }
  else if (s.gone_quiet) { text = `gone quiet ${Math.round(s.quiet_for_seconds)} s`; cls = "bad"; }
  else if (stalled) { text = "queue not consumed"; cls = "bad"; }
  else if ((s.workers || []).length === 0) { text = "no workers"; cls = "warn"; }
  else if (s.articles.failed > 0) { text = `healthy · ${s.articles.failed} failed`; cls = "warn"; }
  pill.textContent = text;
  pill.className = `pill ${cls}`;
}

function renderQueues(s) {
  fillTable("queues", Object.entries(s.queues).map(([name, q]) => el("tr", { "data-queue": name },
    el("td", { text: name }),
    el("td", { class: "num", text: fmt(q.depth) }),
    el("td", { class: "num", text: fmt(q.unacked) }),
    el("td", { class: "num", text: fmt(q.oldest_age_seconds) }),
    el("td", { class: "num", text: fmt(q.workers) }),
    el("td", { class: q.consuming === false ? "bad" : "good", text: q.consuming === false ? "no" : "yes" }),
  )));
}

function renderWorkers(s) {
  const rows = (s.workers || []).map((w) => el("tr", { "data-worker": w.name },
    el("td", { text: w.name }),
    el("td", { text: w.queues.join(", ") }),
    el("td", { class: w.consuming ? "good" : "bad", text: w.state }),
    el("td", { class: "num", text: `${w.active}/${fmt(w.concurrency)}` }),
    el("td", { class: "num", text: fmt(w.processed) }),
    el("td", { class: "num", text: `${fmt(w.heartbeat_age_seconds, 0)} s ago` }),
  ));
  for (const w of s.workers_lost || []) {
    rows.push(el("tr", { "data-worker": w.name },
      el("td", { text: w.name }), el("td", { text: "" }),
      el("td", { class: "bad", text: "lost" }), el("td", { text: "" }), el("td", { text: "" }),
      el("td", { class: "num bad", text: `${fmt(w.heartbeat_age_seconds, 0)} s ago` }),
    ));
  }
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: "6", class: "muted", text: "no live workers" })));
  fillTable("workers", rows);
}

// An untitled article shows the lede's first clause, marked as derived (it is not the file's).
function titleCell(a) {
  const shown = a.display_title || a.title;
  if (!shown) return el("td", { class: "muted", text: "(no title)" });
  if (!a.title_derived) return el("td", { text: shown });
  return el("td", { class: "derived", title: "no title in the file: the first clause of its text" },
    el("span", { text: shown }), el("span", { class: "lbl", text: "derived" }));
}

function renderArticles(s) {
  const rows = (s.recent_articles || []).map((a) => {
    let dup = el("span", { class: "muted", text: "—" });
    if (a.duplicate_of !== null) {
      const sim = a.similarity === null ? "" : ` ${Math.round(a.similarity * 100)}%`;
      dup = el("a", { href: `#article-${a.duplicate_of}`, "data-article": String(a.duplicate_of) },
        `#${a.duplicate_of} (${a.duplicate_kind}${sim})`);
    }
    return el("tr", { id: `article-${a.id}` },
      el("td", { class: "num", text: a.id }),
      titleCell(a),
      el("td", {}, ...entityChips(a.entities || [])),
      el("td", {}, dup),
      el("td", { class: "muted", text: a.source_path }),
    );
  });
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: "5", class: "muted", text: "nothing stored yet" })));
  fillTable("articles", rows);
}

function renderFailures(s) {
  const rows = (s.recent_failures || []).map((f) => {
    const button = el("button", { type: "button", class: "retry", "data-id": String(f.id) }, "Retry");
    button.disabled = !state.actionsEnabled || state.busy;
    button.addEventListener("click", () => retry({ ids: [f.id] }));
    return el("tr", { "data-failure": String(f.id) },
      el("td", { class: "num", text: f.id }),
      el("td", { text: f.source_path }),
      el("td", { text: f.code || "" }),
      el("td", { class: "reason", text: f.reason || "" }),
      el("td", { class: "num", text: f.attempts }),
      el("td", { class: "muted", text: f.failed_at ? new Date(f.failed_at).toLocaleString() : "" }),
      el("td", {}, button),
    );
  });
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: "7", class: "muted", text: "no failures" })));
  fillTable("failures", rows);
  document.getElementById("retry-all").disabled =
    !state.actionsEnabled || state.busy || !(s.recent_failures || []).length;
}

function renderActions(s) {
  state.actionsEnabled = Boolean(s.monitor && s.monitor.actions_enabled);
  document.getElementById("actions-disabled").hidden = state.actionsEnabled;
  document.getElementById("token-box").hidden = !state.actionsEnabled;
}

// ------------------------------------------------------------------ charts

// A tick step of 1, 2, 2.5 or 5 times a power of ten, so gridlines read as round numbers.
function niceStep(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function drawChart(id, series) {
  const node = document.getElementById(id);
  const w = node.clientWidth || 600, h = node.clientHeight || 180;
  const pad = { l: 40, r: 10, t: 18, b: 20 };
  node.setAttribute("viewBox", `0 0 ${w} ${h}`);
  node.replaceChildren();
  const all = series.flatMap((s) => s.points);
  if (all.length < 2) {
    node.append(svg("text", { x: pad.l, y: h / 2, class: "axis" }, "collecting samples…"));
    return;
  }
  const t0 = Math.min(...all.map((p) => p[0])), t1 = Math.max(...all.map((p) => p[0]));
  const step = niceStep(Math.max(...all.map((p) => p[1])) / 4);
  const ticks = Math.max(1, Math.ceil(Math.max(...all.map((p) => p[1])) / step));
  const ymax = step * ticks;
  const x = (t) => pad.l + ((t - t0) / Math.max(1e-9, t1 - t0)) * (w - pad.l - pad.r);
  const y = (v) => h - pad.b - (v / ymax) * (h - pad.t - pad.b);
  for (let i = 0; i <= ticks; i++) {
    const v = step * i;
    node.append(svg("line", { x1: pad.l, x2: w - pad.r, y1: y(v), y2: y(v), class: "grid" }));
    node.append(svg("text", { x: pad.l - 4, y: y(v) + 3, "text-anchor": "end", class: "axis" },
      String(Math.round(v * 100) / 100)));
  }
  const clock = (t) => new Date(t * 1000).toLocaleTimeString();
  node.append(svg("text", { x: pad.l, y: h - 5, class: "axis" }, clock(t0)));
  node.append(svg("text", { x: w - pad.r, y: h - 5, "text-anchor": "end", class: "axis" }, clock(t1)));
  let lx = pad.l + 4;
  for (const s of series) {
    const pts = s.points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" ");
    node.append(svg("polyline", { points: pts, class: `line s-${s.cls}` }));
    node.append(svg("rect", { x: lx, y: 5, width: 10, height: 8, class: `sw-${s.cls}` }));
    const label = svg("text", { x: lx + 14, y: 13, class: "legend" }, s.name);
    node.append(label);
    lx += 24 + 7 * s.name.length;
  }
}

function renderCharts() {
  const samples = state.history;
  const names = new Set();
  for (const s of samples) for (const q of Object.keys(s.depth)) names.add(q);
  const depth = [...names].map((q) => ({
    name: q, cls: ["ingest", "nlp"].includes(q) ? q : "other",
    points: samples.filter((s) => s.depth[q] !== null && s.depth[q] !== undefined)
      .map((s) => [s.t, s.depth[q]]),
  }));
  drawChart("chart-depth", depth);
  drawChart("chart-throughput", [
    { name: "stored/min (between samples)", cls: "stored",
      points: samples.filter((s) => s.stored_per_min !== null).map((s) => [s.t, s.stored_per_min]) },
    { name: "1-minute window", cls: "other", points: samples.map((s) => [s.t, s.throughput_1m]) },
  ]);
}

// ------------------------------------------------------------------ actions

function token() { return localStorage.getItem(TOKEN_KEY) || ""; }

function say(text, cls) {
  const node = document.getElementById("action-message");
  node.textContent = text;
  node.className = cls || "muted";
}

async function retry(body) {
  if (!token()) {
    say("Enter the monitor token first (it is kept in this browser).", "warn");
    document.getElementById("token").focus();
    return;
  }
  state.busy = true;
  try {
    const r = await fetch("/api/retry", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token()}` },
      body: JSON.stringify(body),
    });
    const data = await r.json().catch(() => ({}));
    if (r.ok) say(`Sent ${data.sent} file(s) again.`, "good");
    else say(`Retry refused (${r.status}): ${data.error || r.statusText}`, "bad");
  } catch (err) {
    say(`Retry failed: ${err}`, "bad");
  } finally {
    state.busy = false;
    await refresh();
  }
}

function setupActions() {
  const input = document.getElementById("token");
  input.value = token();
  document.getElementById("token-save").addEventListener("click", () => {
    localStorage.setItem(TOKEN_KEY, input.value.trim());
    say(input.value.trim() ? "Token saved in this browser." : "Token cleared.", "muted");
  });
  document.getElementById("retry-all").addEventListener("click", () => retry({ all: true }));
}

// ------------------------------------------------------------------ polling

async function refresh() {
  try {
    const [status, history] = await Promise.all([
      fetch("/api/status").then((r) => r.json()),
      fetch(`/api/history?since=${state.lastT}`).then((r) => r.json()),
    ]);
    for (const s of history.samples) state.history.push(s);
    if (state.history.length > 1800) state.history.splice(0, state.history.length - 1800);
    if (state.history.length) state.lastT = state.history[state.history.length - 1].t;
    renderActions(status);
    renderSummary(status);
    renderHealth(status);
    renderQueues(status);
    renderWorkers(status);
    renderArticles(status);
    renderFailures(status);
    renderCharts();
    document.body.dataset.loaded = "true";
    document.body.dataset.generatedAt = status.generated_at;
  } catch (err) {
    const pill = document.getElementById("health");
    pill.textContent = "monitor unreachable";
    pill.className = "pill bad";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setupActions();
  refresh();
  setInterval(refresh, POLL_MS);
});
