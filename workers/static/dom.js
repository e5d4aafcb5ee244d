// DOM helpers shared by the dashboard (app.js) and the search page (search.js). Text goes in
// as text nodes or textContent, never as HTML: titles and names come from dropped files.
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function entityChips(entities) {
  return entities.map((e) => el("span", { class: "chip", title: `${e.label} × ${e.count}` },
    e.canonical, el("span", { class: "lbl", text: e.label })));
}
