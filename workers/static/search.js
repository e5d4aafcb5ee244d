// The search page: asks /api/articles and /api/articles/{id}, the same query model as
// `dropwire search` and `show`. Every text from the server is set with textContent or
// built as text nodes: titles, snippets and bodies come from dropped files.
"use strict";

const TOKEN_KEY = "dropwire.readToken";
const state = { cursor: null, params: null, count: 0, searches: 0 };

function message(text, cls) {
  const m = document.getElementById("message");
  m.textContent = text;
  m.className = cls || "muted";
}

async function getJSON(path) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY) || document.getElementById("read-token").value;
  if (token) headers.Authorization = `Bearer ${token}`;
  const resp = await fetch(path, { headers });
  const body = await resp.json().catch(() => ({ error: `HTTP ${resp.status}` }));
  if (resp.status === 401) document.getElementById("token-box").hidden = false;
  if (!resp.ok) throw new Error(body.error || `HTTP ${resp.status}`);
  return body;
}

// Text with [start, end) runs wrapped in <mark>: built from text nodes, never parsed as HTML.
function marked(text, spans) {
  const out = document.createDocumentFragment();
  let at = 0;
  for (const [start, end] of spans) {
    out.append(text.slice(at, start), el("mark", { text: text.slice(start, end) }));
    at = end;
  }
  out.append(text.slice(at));
  return out;
}

function formParams() {
  const form = new FormData(document.getElementById("search-form"));
  const params = new URLSearchParams();
  for (const [k, v] of form.entries()) if (v !== "") params.set(k, v);
  params.set("limit", "20");
  return params;
}

function resultItem(hit) {
  const shown = hit.display_title || "(no title)";
  const title = el("a", { href: `#article-${hit.id}`, class: hit.display_title_derived ? "title derived" : "title", text: shown });
  title.addEventListener("click", (e) => { e.preventDefault(); showArticle(hit.id); });
  const meta = [hit.published || "no date", hit.source_path];
  if (hit.duplicate_of !== null) meta.push(`copy of ${hit.duplicate_of}`);
  return el("li", { "data-id": String(hit.id) },
    title,
    el("div", { class: "meta", text: meta.join(" · ") }),
    el("div", { class: "snippet" }, marked(hit.snippet, hit.highlights)));
}

async function runSearch(more) {
  if (!more) {
    state.params = formParams();
    state.cursor = null;
    state.count = 0;
    document.getElementById("results").replaceChildren();
  }
  const params = new URLSearchParams(state.params);
  if (state.cursor) params.set("cursor", state.cursor);
  message("searching…");
  try {
    const page = await getJSON(`/api/articles?${params}`);
    document.getElementById("results").append(...page.hits.map(resultItem));
    state.cursor = page.next_cursor;
    state.count += page.hits.length;
    document.getElementById("more").hidden = !page.next_cursor;
    document.getElementById("result-count").textContent =
      `${state.count}${page.next_cursor ? "+" : ""}`;
    message(state.count ? "" : "no articles match");
    document.body.dataset.searched = "true";
  } catch (err) {
    message(err.message, "bad");
    document.body.dataset.searched = "error";
  }
  state.searches += 1;
  document.body.dataset.searches = String(state.searches); // tests wait on it
}

// The body with entity mentions and quotations marked, from their offsets.
function markedBody(body, mentions, quotes) {
  const marks = [];
  for (const m of mentions) marks.push({ start: m.start, end: m.end, cls: `ent ${m.label}`, title: `${m.canonical} (${m.label})` });
  for (const q of quotes) marks.push({ start: q.start, end: q.end, cls: "quote", title: q.speaker ? `said by ${q.speaker}` : "unattributed" });
  marks.sort((a, b) => a.start - b.start || b.end - a.end);
  const out = document.createDocumentFragment();
  let at = 0;
  for (const m of marks) {
    if (m.start < at || m.end > body.length) continue; // nested or stray: left unmarked
    out.append(body.slice(at, m.start));
    const span = el("span", { class: m.cls, title: m.title, text: body.slice(m.start, m.end) });
    out.append(span);
    at = m.end;
  }
  out.append(body.slice(at));
  return out;
}

function articleLink(id) {
  const a = el("a", { href: `#article-${id}`, text: String(id) });
  a.addEventListener("click", (e) => { e.preventDefault(); showArticle(id); });
  return a;
}

function linkList(label, ids) {
  const span = el("span", {}, `${label}: `);
  ids.forEach((id, i) => { if (i) span.append(", "); span.append(articleLink(id)); });
  return span;
}

async function showArticle(id) {
  try {
    const a = await getJSON(`/api/articles/${encodeURIComponent(id)}`);
    const view = document.getElementById("article");
    view.hidden = false;
    view.dataset.id = String(a.id);
    document.getElementById("article-title").textContent = a.title || "(no title)";
    const meta = [a.byline, a.published, a.dateline, a.language, a.source_path].filter(Boolean);
    document.getElementById("article-meta").textContent = meta.join(" · ");
    const links = document.getElementById("article-links");
    links.replaceChildren();
    if (a.duplicate_of !== null) links.append(linkList(`${a.duplicate_kind} copy of`, [a.duplicate_of]), " ");
    if (a.copies.length) links.append(linkList("copies", a.copies), " ");
    if (a.cluster.length) links.append(linkList("same cluster", a.cluster));
    document.getElementById("article-body").replaceChildren(markedBody(a.body, a.mentions, a.quotes));
    document.getElementById("article-entities").replaceChildren(
      ...entityChips(a.entities));
    document.getElementById("article-quotes").replaceChildren(
      ...a.quotes.filter((q) => !q.scare).map((q) => el("li", {}, `“${q.text}” — `, el("b", { text: q.speaker || "unattributed" }))));
    document.body.dataset.article = String(a.id);
  } catch (err) {
    message(err.message, "bad");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("search-form").addEventListener("submit", (e) => {
    const token = document.getElementById("read-token").value;
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    e.preventDefault();
    runSearch(false);
  });
  document.getElementById("more").addEventListener("click", () => runSearch(true));
  document.body.dataset.loaded = "true";
  runSearch(false);
});
