// sistermatch web page: autocomplete, ranked candidates (a table, or one card per candidate on a
// phone), a flat SVG map (map.js), and "explain a pair".
// Everything is fetched from this service only (the page's Content-Security-Policy says so).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const town = $("town");
  const list = $("suggestions");
  const form = $("search");
  const message = $("message");
  const results = $("results");
  const numberFmt = new Intl.NumberFormat("en-GB");

  let selected = null;      // the city picked from the list; typing again forgets it
  let options = [];         // cities shown in the list
  let active = -1;          // keyboard position in the list
  let typingTimer = null;
  let pending = null;       // AbortController of the autocomplete request in flight
  let shown = null;         // {query, recommendations, filters} of the results on screen

  // -- helpers -------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  // The server's label names the region ("Springfield (US, Illinois)"); raw admin1 codes are
  // never shown. A population some labels carry is left out: the page shows it on its own.
  function label(city) {
    return city.label ? city.label.replace(/, pop\. [\d,.\s]+\)$/, ")") : `${city.name} (${city.country})`;
  }
  const regionName = (city) => city.region || city.region_name || "";

  async function getJSON(url, signal) {
    const response = await fetch(url, { signal, headers: { Accept: "application/json" } });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const error = (body && body.error) || { message: `The server answered ${response.status}.` };
      throw Object.assign(new Error(error.message), { detail: error, status: response.status });
    }
    return body;
  }

  // -- messages ------------------------------------------------------------------

  function clearMessage() { message.hidden = true; message.replaceChildren(); message.className = "message"; }

  function showMessage(text, kind) {
    message.className = "message" + (kind ? " " + kind : "");
    message.replaceChildren(el("p", {}, text));
    message.hidden = false;
  }

  function showError(err) {
    const d = err.detail || {};
    if (d.type === "ambiguous_city" && d.choices) {
      showMessage(`“${d.query}” is ambiguous: choose one of these towns.`);
      const box = el("div", { class: "choices" });
      for (const c of d.choices) {
        box.append(el("button", { type: "button", class: "choice", onclick: () => pick(c) },
          `${label(c)}, pop. ${numberFmt.format(c.population)}`));
      }
      message.append(box);
    } else if (d.type === "city_not_found") {
      showMessage(`No town matches “${d.query}”.` + (d.suggestions && d.suggestions.length ? " Did you mean:" : " Check the spelling."));
      if (d.suggestions && d.suggestions.length) {
        const box = el("div", { class: "choices" });
        for (const s of d.suggestions) box.append(el("button", { type: "button", class: "choice", onclick: () => useSuggestion(s) }, s));
        message.append(box);
      }
    } else if (err.name === "AbortError") {
      return;
    } else {
      showMessage(d.message ? `Please check the form: ${d.message}` : `Something went wrong: ${err.message}`);
    }
  }

  // "Coventry (GB, ENG)" -> "Coventry, GB", so the resolver gets the country too.
  function useSuggestion(text) {
    const m = /^(.*) \(([A-Z]{2})/.exec(text);
    town.value = m ? `${m[1]}, ${m[2]}` : text;
    selected = null;
    clearMessage();
    town.focus();
    complete();
  }

  // -- autocomplete --------------------------------------------------------------

  function closeList() {
    list.hidden = true;
    list.replaceChildren();
    town.setAttribute("aria-expanded", "false");
    town.removeAttribute("aria-activedescendant");
    options = [];
    active = -1;
  }

  function renderList(body) {
    list.replaceChildren();
    options = body.cities;
    active = -1;
    if (!options.length) {
      const hint = body.suggestions.length ? `No town starts with that. Did you mean ${body.suggestions.join("; ")}?` : "No town starts with that.";
      list.append(el("li", { class: "empty", role: "option", "aria-disabled": "true" }, hint));
    }
    options.forEach((c, i) => {
      const where = `${label(c).slice(c.name.length).replace(/^ \((.*)\)$/, "$1")} · pop. ${numberFmt.format(c.population)}`;
      list.append(el("li", {
        id: `opt-${i}`, role: "option", "aria-selected": "false", "data-geonameid": c.geonameid,
        onmousedown: (ev) => { ev.preventDefault(); pick(c); },
      }, el("span", { class: "name" }, c.name), el("span", { class: "where" }, where)));
    });
    list.hidden = false;
    town.setAttribute("aria-expanded", "true");
  }

  async function complete() {
    const q = town.value.trim();
    if (pending) pending.abort();
    if (!q || selected) { closeList(); return; }
    pending = new AbortController();
    try {
      const body = await getJSON(`/cities?${new URLSearchParams({ q, limit: "10" })}`, pending.signal);
      if (town.value.trim() === q && !selected) renderList(body);
    } catch (err) {
      if (err.name !== "AbortError") closeList();
    }
  }

  function move(step) {
    if (!options.length) return;
    active = (active + step + options.length) % options.length;
    list.querySelectorAll("li").forEach((li, i) => li.setAttribute("aria-selected", i === active ? "true" : "false"));
    town.setAttribute("aria-activedescendant", `opt-${active}`);
    list.children[active].scrollIntoView({ block: "nearest" });
  }

  town.addEventListener("input", () => {
    selected = null;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(complete, 150);
  });
  town.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown") { ev.preventDefault(); if (list.hidden) complete(); else move(1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); move(-1); }
    else if (ev.key === "Escape") closeList();
    else if (ev.key === "Enter" && !list.hidden && active >= 0) { ev.preventDefault(); pick(options[active]); }
  });
  town.addEventListener("blur", () => setTimeout(closeList, 150));

  // -- recommendations -----------------------------------------------------------

  function pick(city) {
    clearTimeout(typingTimer);  // a list still due from the last keystroke must not reopen
    if (pending) pending.abort();
    selected = city;
    town.value = label(city);
    closeList();
    clearMessage();
    recommend(city.geonameid);
  }

  // The filters as query parameters, without k: /explain takes the same filters.
  function filterParams() {
    const params = new URLSearchParams();
    const countries = $("countries").value.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
    if (countries.length) params.set("countries", countries.join(","));
    for (const [id, name] of [["min-population", "min_population"], ["max-population", "max_population"], ["max-distance", "max_distance_km"]]) {
      const v = $(id).value.trim();
      if (v) params.set(name, v);
    }
    if ($("domestic").checked) params.set("include_domestic", "true");
    return params;
  }

  async function recommend(geonameid) {
    const button = $("go");
    button.disabled = true;
    button.textContent = "Searching…";
    const filters = filterParams();
    const params = new URLSearchParams(filters);
    params.set("k", $("k").value.trim() || "10");
    try {
      const body = await getJSON(`/cities/${encodeURIComponent(geonameid)}/recommendations?${params}`);
      shown = { query: body.query, recommendations: body.recommendations, filters };
      renderResults(body);
    } catch (err) {
      results.hidden = true;
      shown = null;
      showError(err);
    } finally {
      button.disabled = false;
      button.textContent = "Find partners";
    }
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    closeList();
    clearMessage();
    const q = town.value.trim();
    if (!q) { showMessage("Type the name of your town first."); town.focus(); return; }
    if (selected && town.value === label(selected)) { recommend(selected.geonameid); return; }
    try {
      const body = await getJSON(`/resolve?${new URLSearchParams({ q })}`);
      pick(body.city);
    } catch (err) {
      results.hidden = true;
      showError(err);
    }
  });

  // Relative fit, 0-100: the server's `fit`, or the same 100 * exp(score - best score).
  function fitOf(r, best) {
    return typeof r.fit === "number" ? r.fit : 100 * Math.exp(r.score - best);
  }

  function fitBar(fit) {
    const fill = el("span", { class: "fill" });
    fill.style.width = `${Math.max(0, Math.min(100, fit)).toFixed(1)}%`;  // CSSOM, allowed by the page's CSP
    return el("span", { class: "fit" }, el("span", { class: "track", "aria-hidden": "true" }, fill),
      el("span", { class: "fit-value" }, fit >= 0.5 ? `${Math.round(fit)}` : "<1"));
  }

  function renderResults(body) {
    const q = body.query;
    const recs = body.recommendations || [];
    $("results-title").textContent = recs.length ? `Candidate partners for ${label(q)}` : `No candidate partners for ${label(q)}`;
    $("results-note").textContent = `${label(q)} has ${numberFmt.format(q.population)} inhabitants. ` +
      (recs.length ? `The ${recs.length} best-suited towns, best first. Fit compares each town with the best one (100).` : "");
    const empty = $("results-empty");
    empty.textContent = recs.length ? "" : (body.note || "No town passes these filters; try widening them (more countries, a larger distance).");
    empty.hidden = recs.length > 0;
    $("candidates-wrap").hidden = !recs.length;
    $("map-figure").hidden = !recs.length;
    const tbody = $("candidates").querySelector("tbody");
    tbody.replaceChildren();
    const best = recs.length ? Math.max(...recs.map((r) => r.score)) : 0;
    for (const r of recs) {
      const fit = fitOf(r, best);
      const reasons = el("ul", { class: "reasons" });
      for (const reason of r.reasons) reasons.append(el("li", {}, reason.text));
      if (!r.reasons.length) reasons.append(el("li", {}, "overall fit"));
      const region = regionName(r) ? el("span", { class: "region" }, regionName(r)) : "";
      tbody.append(el("tr", { "data-geonameid": r.geonameid },
        el("td", { class: "rank num" }, String(r.rank)),
        el("td", { class: "town" }, el("span", { class: "name" }, r.name), region),
        el("td", { class: "country", "data-label": "Country" }, r.country),
        el("td", { class: "pop num", "data-label": "Pop." }, numberFmt.format(r.population)),
        el("td", { class: "dist num", "data-label": "Distance" }, `${numberFmt.format(Math.round(r.distance_km))} km`),
        el("td", { class: "score", "data-label": "Fit", title: `fit ${Math.round(fit)} of 100 (the best candidate is 100); model score ${r.score.toFixed(2)}` },
          fitBar(fit)),
        el("td", { class: "why" }, reasons)));
    }
    fillExplainChoices(recs);
    $("explain-result").hidden = true;
    results.hidden = false;
    if (recs.length) {
      SistermatchMap.draw($("map"), q, recs, label(q));
      drawnWidth = Math.round($("map").getBoundingClientRect().width);
    }
    // The officer's eyes (and a screen reader) go to the answer, not stay on the form.
    const title = $("results-title");
    title.focus({ preventScroll: true });
    title.scrollIntoView({ block: "start" });
  }

  // The map is drawn at the width it has (see map.js); a phone turned sideways gets a new one.
  let drawnWidth = 0, resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      const width = Math.round($("map").getBoundingClientRect().width);
      if (!shown || !shown.recommendations.length || results.hidden || width === drawnWidth) return;
      drawnWidth = width;
      SistermatchMap.draw($("map"), shown.query, shown.recommendations, label(shown.query));
    }, 200);
  });

  // -- explain a pair ------------------------------------------------------------

  const explainInput = $("explain-town");
  const explainOptions = $("explain-options");
  const explainResult = $("explain-result");
  let explainKnown = new Map();   // label shown in the list -> geonameid
  let explainTimer = null;

  function fillExplainChoices(cities) {
    explainKnown = new Map();
    explainOptions.replaceChildren();
    for (const c of cities) {
      const text = label(c);
      if (explainKnown.has(text)) continue;
      explainKnown.set(text, c.geonameid);
      explainOptions.append(el("option", { value: text }));
    }
  }

  explainInput.addEventListener("input", () => {
    clearTimeout(explainTimer);
    const q = explainInput.value.trim();
    if (!q || explainKnown.has(q)) return;
    explainTimer = setTimeout(async () => {
      try {
        const body = await getJSON(`/cities?${new URLSearchParams({ q, limit: "10" })}`);
        const keep = shown ? shown.recommendations : [];
        fillExplainChoices([...body.cities, ...keep]);
      } catch (e) { /* the list is a convenience; typing still works */ }
    }, 150);
  });

  function showExplainMessage(text, choices) {
    explainResult.replaceChildren(el("p", { class: "explain-message" }, text));
    if (choices && choices.length) {
      const box = el("div", { class: "choices" });
      for (const c of choices) {
        box.append(el("button", { type: "button", class: "choice", onclick: () => explain(c.geonameid) },
          `${label(c)}, pop. ${numberFmt.format(c.population)}`));
      }
      explainResult.append(box);
    }
    explainResult.hidden = false;
  }

  async function explainTyped() {
    const text = explainInput.value.trim();
    if (!shown) return;
    if (!text) { showExplainMessage("Type or pick a town to compare with."); explainInput.focus(); return; }
    if (explainKnown.has(text)) return explain(explainKnown.get(text));
    try {
      const body = await getJSON(`/resolve?${new URLSearchParams({ q: text })}`);
      return explain(body.city.geonameid);
    } catch (err) {
      const d = err.detail || {};
      if (d.type === "ambiguous_city") showExplainMessage(`“${d.query}” is ambiguous: choose one.`, d.choices);
      else if (d.type === "city_not_found") {
        showExplainMessage(`No town matches “${d.query}”.` + (d.suggestions && d.suggestions.length ? ` Did you mean ${d.suggestions.join("; ")}?` : ""));
      } else showExplainMessage(err.message);
    }
  }

  async function explain(candidateId) {
    const q = shown.query;
    let body;
    try {
      body = await getJSON(`/cities/${encodeURIComponent(q.geonameid)}/explain/${encodeURIComponent(candidateId)}?${shown.filters}`);
    } catch (err) {
      showExplainMessage(err.detail && err.detail.message ? err.detail.message : err.message);
      return;
    }
    renderExplain(body);
  }

  function renderExplain(body) {
    const c = body.candidate;
    const parts = [el("h3", { id: "explain-title", tabindex: "-1" }, `${label(c)} for ${label(body.query)}`)];
    const excluded = body.excluded_by || [];
    if (body.rank != null) {
      parts.push(el("p", { class: "explain-rank" },
        el("strong", {}, `Rank ${numberFmt.format(body.rank)}`), ` of ${numberFmt.format(body.of)} towns that pass the filters.`));
    } else {
      const why = el("ul", { class: "excluded" });
      for (const e of excluded) why.append(el("li", {}, e));
      parts.push(el("p", { class: "explain-rank" }, el("strong", {}, "Not ranked"),
        excluded.length ? ": left out because of" : " among the candidates."), why);
      if (body.would_rank != null) {
        parts.push(el("p", {}, `Were it allowed, it would rank ${numberFmt.format(body.would_rank)}.`));
      }
    }
    const facts = el("p", { class: "explain-facts" },
      `Score ${body.score.toFixed(2)} · ${numberFmt.format(Math.round(body.distance_km))} km apart · fit `, fitBar(body.fit));
    parts.push(facts);
    const rows = el("tbody");
    const contributions = body.contributions || [];
    const biggest = Math.max(1e-9, ...contributions.map((k) => Math.abs(k.contribution)));
    for (const k of contributions) {
      const bar = el("span", { class: "contrib " + (k.contribution >= 0 ? "pos" : "neg") });
      bar.style.width = `${(50 * Math.abs(k.contribution) / biggest).toFixed(1)}%`;
      rows.append(el("tr", {},
        el("td", { class: "feature" }, k.feature.replace(/_/g, " ")),
        el("td", { class: "num" }, (k.contribution >= 0 ? "+" : "−") + Math.abs(k.contribution).toFixed(2)),
        el("td", { class: "contrib-cell", "aria-hidden": "true" }, el("span", { class: "axis" }, bar)),
        el("td", { class: "text" }, k.text || "")));
    }
    parts.push(el("table", { class: "contributions" },
      el("caption", {}, "What each feature adds to the score (largest first)"),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Feature"), el("th", { scope: "col", class: "num" }, "Adds"),
        el("th", { scope: "col", class: "contrib-cell" }, el("span", { class: "visually-hidden" }, "Bar")),
        el("th", { scope: "col" }, "Reason"))),
      rows));
    explainResult.replaceChildren(...parts);
    explainResult.hidden = false;
    $("explain-title").focus({ preventScroll: true });
    explainResult.scrollIntoView({ block: "nearest" });
  }

  $("explain-form").addEventListener("submit", (ev) => { ev.preventDefault(); explainTyped(); });

  // -- footer --------------------------------------------------------------------

  getJSON("/health").then((h) => {
    $("footer").replaceChildren(`sistermatch ${h.version} · ${numberFmt.format(h.cities)} towns · ` +
      `${numberFmt.format(h.partnerships)} known partnerships · API documentation: `,
      el("a", { href: "/docs" }, "/docs"), " or ", el("a", { href: "/redoc" }, "/redoc"));
  }).catch(() => {});
})();
