// sistermatch web page: autocomplete, ranked candidates, and a flat SVG map.
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

  // -- helpers -------------------------------------------------------------------

  function esc(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

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

  // Numeric GeoNames region codes ("07") mean nothing to a reader; letter codes (ENG, MA) do.
  const regionName = (city) => (city.admin1 && /[A-Za-z]/.test(city.admin1) ? city.admin1 : "");

  function label(city) {
    const region = regionName(city) ? `, ${regionName(city)}` : "";
    return `${city.name} (${city.country}${region})`;
  }

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
      const where = `${c.country}${regionName(c) ? " · " + regionName(c) : ""} · pop. ${numberFmt.format(c.population)}`;
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

  function filterParams() {
    const params = new URLSearchParams();
    const k = $("k").value.trim();
    params.set("k", k || "10");
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
    try {
      const body = await getJSON(`/cities/${encodeURIComponent(geonameid)}/recommendations?${filterParams()}`);
      renderResults(body);
    } catch (err) {
      results.hidden = true;
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

  function renderResults(body) {
    const q = body.query;
    const recs = body.recommendations;
    $("results-title").textContent = `Candidate partners for ${label(q)}`;
    $("results-note").textContent = `${label(q)} has ${numberFmt.format(q.population)} inhabitants. ` +
      (recs.length ? `Showing the ${recs.length} best-suited towns, best first. The bar compares each score with the others shown.`
                   : "");
    const tbody = $("candidates").querySelector("tbody");
    tbody.replaceChildren();
    if (!recs.length) {
      showMessage("No candidate passes these filters. Try widening them (more countries, a larger distance).", "info");
    }
    const scores = recs.map((r) => r.score);
    const hi = Math.max(...scores), lo = Math.min(...scores);
    for (const r of recs) {
      const share = hi > lo ? 0.1 + 0.9 * (r.score - lo) / (hi - lo) : 1;
      const fill = el("div", { class: "fill" });
      fill.style.width = `${(100 * share).toFixed(1)}%`;  // CSSOM, allowed by the page's CSP
      const reasons = el("ul", { class: "reasons" });
      for (const reason of r.reasons) reasons.append(el("li", {}, reason.text));
      if (!r.reasons.length) reasons.append(el("li", {}, "overall fit"));
      const region = regionName(r) ? el("span", { class: "region" }, regionName(r)) : "";
      tbody.append(el("tr", { "data-geonameid": r.geonameid },
        el("td", { class: "num" }, String(r.rank)),
        el("td", { class: "town" }, r.name, region),
        el("td", {}, r.country),
        el("td", { class: "num" }, numberFmt.format(r.population)),
        el("td", { class: "num" }, `${numberFmt.format(Math.round(r.distance_km))} km`),
        el("td", { class: "score", title: `model score ${r.score.toFixed(2)} (the bar compares it with the others shown)` },
          el("div", { class: "track" }, fill)),
        el("td", {}, reasons)));
    }
    drawMap(q, recs);
    results.hidden = false;
  }

  // -- map: equirectangular, x = longitude, y = -latitude, same scale on both axes ----

  function drawMap(q, recs) {
    const svg = $("map");
    const pts = [q, ...recs];
    const lons = pts.map((p) => p.longitude), lats = pts.map((p) => p.latitude);
    let west = Math.min(...lons), east = Math.max(...lons), south = Math.min(...lats), north = Math.max(...lats);
    // Pad the box and give it a minimum size so a handful of close towns is not one blur.
    const padLon = Math.max((east - west) * 0.08, 4), padLat = Math.max((north - south) * 0.15, 3);
    west = Math.max(-180, west - padLon); east = Math.min(180, east + padLon);
    south = Math.max(-90, south - padLat); north = Math.min(90, north + padLat);
    if ((north - south) > (east - west) * 0.5) {     // a wide frame suits a full-width figure
      const mid = (east + west) / 2, half = (north - south) / 0.5 / 2;
      west = Math.max(-180, mid - half); east = Math.min(180, mid + half);
    }
    const W = 960, H = Math.max(240, Math.round(W * (north - south) / (east - west)));
    const x = (lon) => ((lon - west) / (east - west)) * W;
    const y = (lat) => ((north - lat) / (north - south)) * H;
    const span = Math.max(east - west, north - south);
    const step = span > 120 ? 30 : span > 50 ? 15 : span > 20 ? 10 : 5;
    const parts = [];
    for (let lon = Math.ceil(west / step) * step; lon <= east; lon += step) {
      parts.push(`<line class="grid" x1="${x(lon)}" y1="0" x2="${x(lon)}" y2="${H}"/>`,
        `<text class="grid-label" x="${x(lon) + 2}" y="${H - 3}">${Math.abs(lon)}°${lon < 0 ? "W" : lon > 0 ? "E" : ""}</text>`);
    }
    for (let lat = Math.ceil(south / step) * step; lat <= north; lat += step) {
      parts.push(`<line class="grid" x1="0" y1="${y(lat)}" x2="${W}" y2="${y(lat)}"/>`,
        `<text class="grid-label" x="2" y="${y(lat) - 2}">${Math.abs(lat)}°${lat < 0 ? "S" : lat > 0 ? "N" : ""}</text>`);
    }
    for (const r of recs) {
      parts.push(`<line class="link" x1="${x(q.longitude)}" y1="${y(q.latitude)}" x2="${x(r.longitude)}" y2="${y(r.latitude)}"/>`);
    }
    // Worst first, so the best candidates are drawn on top where dots overlap.
    for (const r of [...recs].reverse()) {
      parts.push(`<g><title>${esc(r.rank + ". " + r.name + " (" + r.country + ")")}</title>` +
        `<circle class="cand" cx="${x(r.longitude)}" cy="${y(r.latitude)}" r="9"/>` +
        `<text class="cand-label" x="${x(r.longitude)}" y="${y(r.latitude)}">${r.rank}</text></g>`);
    }
    const qx = x(q.longitude), qy = y(q.latitude);
    parts.push(`<g><title>${esc(label(q))}</title><circle class="query" cx="${qx}" cy="${qy}" r="10"/>` +
      `<text class="query-label" x="${qx + (qx > W * 0.7 ? -13 : 13)}" y="${qy - 11}" text-anchor="${qx > W * 0.7 ? "end" : "start"}">${esc(q.name)}</text></g>`);
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.innerHTML = parts.join("");  // parsed as SVG because the parent is an <svg> element
  }

  // -- footer --------------------------------------------------------------------

  getJSON("/health").then((h) => {
    $("footer").textContent = `sistermatch ${h.version} · ${numberFmt.format(h.cities)} towns · ` +
      `${numberFmt.format(h.partnerships)} known partnerships · API documentation at /docs`;
  }).catch(() => {});
})();
