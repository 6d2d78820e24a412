// sistermatch map: a flat (equirectangular) SVG map of a town and its candidates, with land.
// The frame, the land outlines and the marker spreading are the same as the HTML report's
// (sistermatch/interfaces/report.py), so the two maps of one town look alike.
// Land: Natural Earth 1:110m, from the world-atlas TopoJSON shipped with the service.
"use strict";

window.SistermatchMap = (function () {
  const LAND_URL = "/static/vendor/world-atlas/land-110m.json";
  const MARKER_GAP = 21;          // centre to centre; markers have radius 9 (query 10)
  let landPromise = null;         // rings of [lon, lat] with their boxes, decoded once

  function esc(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  // -- TopoJSON: arcs are delta-encoded integer steps scaled by `transform`; ~i is arc i reversed.

  function decodeTopology(topology, name) {
    const t = topology.transform;
    const arcs = topology.arcs.map((arc) => {
      if (!t) return arc.map((p) => [p[0], p[1]]);
      let x = 0, y = 0;
      return arc.map(([dx, dy]) => {
        x += dx; y += dy;
        return [x * t.scale[0] + t.translate[0], y * t.scale[1] + t.translate[1]];
      });
    });
    const ring = (indexes) => {
      const points = [];
      for (const i of indexes) {
        const arc = i >= 0 ? arcs[i] : arcs[~i].slice().reverse();
        points.push(...(points.length ? arc.slice(1) : arc));  // consecutive arcs share an end point
      }
      return points;
    };
    const rings = [];
    const walk = (g) => {
      if (g.type === "GeometryCollection") g.geometries.forEach(walk);
      else if (g.type === "Polygon") g.arcs.forEach((r) => rings.push(ring(r)));
      else if (g.type === "MultiPolygon") g.arcs.forEach((poly) => poly.forEach((r) => rings.push(ring(r))));
    };
    walk(topology.objects[name]);
    return rings.map(unwrap).map((r) => {
      const lons = r.map((p) => p[0]), lats = r.map((p) => p[1]);
      return { points: r, box: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)] };
    });
  }

  // The TopoJSON is spherical: a ring crossing the antimeridian steps from +180 to -180. On a
  // flat map it continues past +-180 instead (drawn again shifted by 360 degrees), and a ring
  // around a pole (Antarctica) is closed along the pole. Same as report.py's unwrap_ring.
  function unwrap(ring) {
    const out = [ring[0].slice()];
    let offset = 0;
    for (const [lon0, lat] of ring.slice(1)) {
      let lon = lon0 + offset;
      const prev = out[out.length - 1][0];
      if (lon - prev > 180) { offset -= 360; lon -= 360; }
      else if (lon - prev < -180) { offset += 360; lon += 360; }
      out.push([lon, lat]);
    }
    if (offset) {
      const pole = out.reduce((sum, p) => sum + p[1], 0) < 0 ? -90 : 90;
      out.push([out[out.length - 1][0], pole], [out[0][0], pole]);
    }
    return out;
  }

  function loadLand() {
    if (!landPromise) {
      landPromise = fetch(LAND_URL).then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status))))
        .then((topo) => decodeTopology(topo, "land"))
        .catch(() => { landPromise = null; return []; });  // a map without land is still a map
    }
    return landPromise;
  }

  // -- geometry ------------------------------------------------------------------

  // Sutherland-Hodgman: cut a ring to a rectangle, so land far outside the frame is not drawn.
  function clipRing(points, left, top, right, bottom) {
    const edges = [
      [(p) => p[0] >= left, (a, b) => [left, a[1] + (b[1] - a[1]) * (left - a[0]) / (b[0] - a[0])]],
      [(p) => p[0] <= right, (a, b) => [right, a[1] + (b[1] - a[1]) * (right - a[0]) / (b[0] - a[0])]],
      [(p) => p[1] >= top, (a, b) => [a[0] + (b[0] - a[0]) * (top - a[1]) / (b[1] - a[1]), top]],
      [(p) => p[1] <= bottom, (a, b) => [a[0] + (b[0] - a[0]) * (bottom - a[1]) / (b[1] - a[1]), bottom]],
    ];
    for (const [inside, cut] of edges) {
      const source = points;
      points = [];
      source.forEach((cur, k) => {
        const prev = source[(k - 1 + source.length) % source.length];
        if (inside(cur)) {
          if (!inside(prev)) points.push(cut(prev, cur));
          points.push(cur);
        } else if (inside(prev)) {
          points.push(cut(prev, cur));
        }
      });
      if (!points.length) break;
    }
    return points;
  }

  // Push overlapping markers apart; the first (the query town) never moves. Same as report.py.
  function spreadMarkers(points, gap, width, height) {
    const pos = points.map((p) => [p[0], p[1]]);
    for (let round = 0; round < 100; round++) {
      let moved = false;
      for (let i = 0; i < pos.length; i++) {
        for (let j = i + 1; j < pos.length; j++) {
          let dx = pos[j][0] - pos[i][0], dy = pos[j][1] - pos[i][1];
          let d = Math.hypot(dx, dy), ux, uy;
          if (d >= gap - 1e-9) continue;
          if (d < 1e-6) { const a = j * 2.399963; ux = Math.cos(a); uy = Math.sin(a); d = 0; }
          else { ux = dx / d; uy = dy / d; }
          const push = gap - d;
          if (i === 0) { pos[j][0] += ux * push; pos[j][1] += uy * push; }
          else {
            pos[i][0] -= ux * push / 2; pos[i][1] -= uy * push / 2;
            pos[j][0] += ux * push / 2; pos[j][1] += uy * push / 2;
          }
          moved = true;
        }
      }
      for (const p of pos.slice(1)) {
        p[0] = Math.min(Math.max(p[0], gap / 2), width - gap / 2);
        p[1] = Math.min(Math.max(p[1], gap / 2), height - gap / 2);
      }
      if (!moved) break;
    }
    return pos;
  }

  // The box around the points, padded; `flattest` and `tallest` bound height/width. The report
  // uses 0.25 and 0.5; a phone gets a taller frame so the map is not a thin strip.
  function frame(points, flattest, tallest) {
    const lons = points.map((p) => p.longitude), lats = points.map((p) => p.latitude);
    let west = Math.min(...lons), east = Math.max(...lons), south = Math.min(...lats), north = Math.max(...lats);
    const padLon = Math.max((east - west) * 0.08, 4), padLat = Math.max((north - south) * 0.15, 3);
    west = Math.max(-180, west - padLon); east = Math.min(180, east + padLon);
    south = Math.max(-90, south - padLat); north = Math.min(90, north + padLat);
    if (north - south > (east - west) * tallest) {
      const mid = (east + west) / 2, half = (north - south) / tallest / 2;
      west = Math.max(-180, mid - half); east = Math.min(180, mid + half);
    }
    if (north - south < (east - west) * flattest) {  // grow the frame, never stretch a degree
      const mid = (north + south) / 2, half = (east - west) * flattest / 2;
      south = mid - half; north = mid + half;
      if (south < -90) { north += -90 - south; south = -90; }
      if (north > 90) { south -= north - 90; north = 90; }
    }
    return { west, east, south, north };
  }

  function landPath(rings, f, x, y, W, H) {
    const parts = [];
    for (const ring of rings) {
      const [w, s, e, n] = ring.box;
      for (const shift of [-360, 0, 360]) {  // a ring past the antimeridian shows on the other side
        if (e + shift < f.west || w + shift > f.east || n < f.south || s > f.north) continue;
        const projected = [];
        let last = null;
        for (const [lon, lat] of ring.points) {
          const p = [x(lon + shift), y(lat)];
          if (!last || Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) >= 1) { projected.push(p); last = p; }
        }
        const pts = clipRing(projected, -4, -4, W + 4, H + 4);
        if (pts.length >= 3) parts.push("M" + pts.map((p) => `${p[0].toFixed(1)} ${p[1].toFixed(1)}`).join("L") + "Z");
      }
    }
    return parts.join("");
  }

  // -- drawing -------------------------------------------------------------------

  async function draw(svg, q, recs, queryLabel) {
    const rings = await loadLand();
    // One SVG unit per CSS pixel (up to 960), so markers and labels keep their size on a phone.
    const W = Math.round(Math.min(960, Math.max(300, svg.getBoundingClientRect().width || 960)));
    const phone = W < 600;
    const f = frame([q, ...recs], phone ? 0.7 : 0.25, phone ? 1.0 : 0.5);
    const H = Math.round(W * (f.north - f.south) / (f.east - f.west));
    const x = (lon) => ((lon - f.west) / (f.east - f.west)) * W;
    const y = (lat) => ((f.north - lat) / (f.north - f.south)) * H;
    const span = Math.max(f.east - f.west, f.north - f.south);
    const step = span > 120 ? 30 : span > 50 ? 15 : span > 20 ? 10 : 5;
    const parts = [`<path class="land" d="${landPath(rings, f, x, y, W, H)}"/>`];
    for (let lon = Math.ceil(f.west / step) * step; lon <= f.east; lon += step) {
      parts.push(`<line class="grid" x1="${x(lon)}" y1="0" x2="${x(lon)}" y2="${H}"/>`,
        `<text class="grid-label" x="${x(lon) + 2}" y="${H - 3}">${Math.abs(lon)}°${lon < 0 ? "W" : lon > 0 ? "E" : ""}</text>`);
    }
    for (let lat = Math.ceil(f.south / step) * step; lat <= f.north; lat += step) {
      parts.push(`<line class="grid" x1="0" y1="${y(lat)}" x2="${W}" y2="${y(lat)}"/>`);
      if (y(lat) > 14 && y(lat) < H - 16) {  // inside the frame, clear of the meridians' labels
        parts.push(`<text class="grid-label" x="2" y="${y(lat) - 2}">${Math.abs(lat)}°${lat < 0 ? "S" : lat > 0 ? "N" : ""}</text>`);
      }
    }
    const qx = x(q.longitude), qy = y(q.latitude);
    const spots = [[qx, qy], ...recs.map((r) => [x(r.longitude), y(r.latitude)])];
    const markers = spreadMarkers(spots, MARKER_GAP, W, H);
    recs.forEach((r, i) => {
      parts.push(`<line class="link" x1="${qx}" y1="${qy}" x2="${spots[i + 1][0]}" y2="${spots[i + 1][1]}"/>`);
    });
    recs.forEach((r, i) => {
      const [sx, sy] = spots[i + 1], [mx, my] = markers[i + 1];
      if (Math.hypot(mx - sx, my - sy) > 1) {
        parts.push(`<line class="leader" x1="${sx}" y1="${sy}" x2="${mx}" y2="${my}"/><circle class="spot" cx="${sx}" cy="${sy}" r="2.5"/>`);
      }
    });
    // Worst first, so the best candidates are drawn on top.
    for (let i = recs.length - 1; i >= 0; i--) {
      const r = recs[i], [mx, my] = markers[i + 1];
      parts.push(`<g class="marker" data-rank="${r.rank}"><title>${esc(r.rank + ". " + (r.label || r.name + " (" + r.country + ")"))}</title>` +
        `<circle class="cand" cx="${mx.toFixed(1)}" cy="${my.toFixed(1)}" r="9"/>` +
        `<text class="cand-label" x="${mx.toFixed(1)}" y="${my.toFixed(1)}">${r.rank}</text></g>`);
    }
    const right = qx > W * 0.6, below = qy < 24;
    parts.push(`<g><title>${esc(queryLabel)}</title><circle class="query" cx="${qx}" cy="${qy}" r="10"/>` +
      `<text class="query-label" x="${qx + (right ? -13 : 13)}" y="${below ? qy + 24 : qy - 11}" text-anchor="${right ? "end" : "start"}">${esc(q.name)}</text></g>`);
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.innerHTML = parts.join("");  // parsed as SVG because the parent is an <svg> element
  }

  return { draw, decodeTopology, clipRing, spreadMarkers, frame };
})();
