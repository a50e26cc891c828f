// irqd dashboard. Live numbers come from two WebSocket subscriptions (the busiest IRQs with per-CPU
// rates; the selected IRQ), the window view from GET /api/v1/interrupts and /cpus, history from
// /api/v1/series and /events drawn with uPlot (web/vendor/). Everything big is drawn on canvases, so
// 256 CPUs x 4096 IRQs stays a few hundred DOM nodes.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  overloaded: [],        // CPUs overloaded in the last sample: {cpu, reasons}
  samples: 0, live: null, windowCpus: new Map(), selected: null, selectedLive: null,
  heatRows: [], heatFixed: [], heatGroups: [], devices: null, plan: null, planBody: null, movePage: 0, drillCpu: null, drill: [],
  history: [], needsToken: false,
  chart: { series: null, events: [], plots: [], drawnEvents: 0, zoomed: false, bucket: null },
};
window.irqdDashboard = state;   // for the browser test and for poking around in devtools

const fmt = (v) => {
  if (v == null || !isFinite(v)) return "–";
  if (v === 0) return "0";
  if (v >= 1e9) return (v / 1e9).toFixed(2) + "G";
  if (v >= 1e6) return (v / 1e6).toFixed(2) + "M";
  if (v >= 1e4) return (v / 1e3).toFixed(1) + "k";
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
};

// The bearer token, when irqd runs with --token-file: asked for on the first 401, kept for this tab.
let token = sessionStorage.getItem("irqd-token") || "";

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  if (token) init.headers.Authorization = "Bearer " + token;
  const res = await fetch(path, init);
  let json = null;
  try { json = await res.json(); } catch (e) { json = null; }
  const r = { status: res.status, ok: res.ok, json };
  if (res.status === 401) askToken(r, method === "GET");
  return r;
}

function askToken(r, forRead) {
  if (forRead) state.needsToken = true;
  const shown = !$("token-bar").hidden;
  $("token-bar").hidden = false;
  $("token-msg").textContent = errorText(r);
  if (!shown) $("token").focus();
}
const errorText = (r) => (r.json && r.json.error) ? r.json.error.code + ": " + r.json.error.message : "HTTP " + r.status;
const perSecond = (count, seconds) => seconds > 0 ? count / seconds : count;
function cell(tr, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  tr.appendChild(td);
  return td;
}
const clockTime = (iso) => new Date(iso).toLocaleTimeString([], { hour12: false });
const why = { drops: "dropping packets", time_squeezed: "NET_RX out of budget", interrupt_time: "busy in interrupts" };
const reasonsText = (reasons) => reasons.map((r) => why[r] || r).join(", ");

// The CPU bars and the heat map share this left margin and the per-CPU column width, so column c of
// the heat map sits under bar c.
const CPU_LEFT = 150;
// Every k-th CPU label, so that labels about 22 px apart never overlap.
const labelEvery = (n, width) => Math.max(1, Math.ceil(22 / Math.max(1, width / Math.max(1, n))));

// Canvas sized to its CSS box at the device's pixel ratio; returns the 2D context in CSS pixels.
function fitCanvas(canvas, cssHeight) {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 600, h = cssHeight || canvas.clientHeight || 100;
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    canvas.style.height = h + "px";
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

// A bar chart of values per CPU, with optional tick marks (the window's average) over the bars;
// `color` is one colour, or a function of the bar's index (overloaded CPUs in red).
function drawBars(canvas, cpus, values, ticks, height, color, left = 36) {
  const { ctx, w, h } = fitCanvas(canvas, height);
  const n = cpus.length;
  if (!n) return null;
  const max = Math.max(1, ...values, ...(ticks || []).filter((v) => v != null));
  const bw = (w - left) / n, gap = bw >= 3 ? 1 : 0, bottom = 14, every = labelEvery(n, w - left), labels = [];
  ctx.fillStyle = "#6b7177";
  ctx.font = "10px system-ui, sans-serif";
  ctx.fillText(fmt(max) + (left > 60 ? "/s" : ""), 2, 10);
  ctx.fillText("0", 2, h - bottom);
  if (left > 60) ctx.fillText("CPU", 2, h - 2);
  for (let i = 0; i < n; i++) {
    const x = left + i * bw;
    const bh = (h - bottom - 4) * (values[i] || 0) / max;
    ctx.fillStyle = (typeof color === "function" ? color(i) : color) || "#2f6db5";
    ctx.fillRect(x, h - bottom - bh, Math.max(1, bw - gap), bh);
    if (ticks && ticks[i] != null) {
      const th = (h - bottom - 4) * ticks[i] / max;
      ctx.fillStyle = "#e07b00";
      ctx.fillRect(x, h - bottom - th - 1, Math.max(1, bw - gap), 2);
    }
    if (i % every === 0) { ctx.fillStyle = "#6b7177"; ctx.fillText(String(cpus[i]), x + 1, h - 2); labels.push(cpus[i]); }
  }
  return { left, width: bw, labels };   // where the bars and their labels went (the browser test checks)
}

// The column under the mouse on a canvas laid out with `left` and n equal columns, or -1.
function columnAt(canvas, e, left, n) {
  const rect = canvas.getBoundingClientRect();
  const c = Math.floor((e.clientX - rect.left - left) / ((rect.width - left) / Math.max(1, n)));
  return c >= 0 && c < n ? c : -1;
}

// White to deep blue on a log scale: rates span many orders of magnitude.
function heatColor(v, max) {
  if (!(v > 0)) return "#ffffff";
  const t = Math.min(1, Math.log10(1 + v) / Math.log10(1 + max));
  const r = Math.round(255 - t * 230), g = Math.round(255 - t * 170), b = Math.round(255 - t * 60);
  return `rgb(${r},${g},${b})`;
}

// IRQ -> its device ({pci, driver, netdevs, node, queue, direction} or null) from GET /api/v1/interrupts,
// as the stream's rows carry none: read at load, and again (at most every 10 s) when a row shows up
// that it does not know.
let devicesAsked = 0;
async function loadDevices() {
  devicesAsked = Date.now();
  const cpu = state.live && state.live.irq_cpus && state.live.irq_cpus.length ? state.live.irq_cpus[0] : 0;
  const r = await api("GET", `/api/v1/interrupts?window=1s&cpus=${cpu}`);   // one CPU column: small
  if (!r.ok) return;
  state.devices = new Map(r.json.irqs.map((x) => [x.irq, x.device || null]));
  if (state.live) drawHeat();
}
// A device is its network interfaces when it has some, else its PCI address.
const deviceKey = (d) => (d ? (d.netdevs && d.netdevs.length ? d.netdevs.join(",") : d.pci || null) : null);
const deviceOf = (irq) => (state.devices ? state.devices.get(irq) : undefined);

// The rows to draw: filtered by the box (IRQ, name or device), movable IRQs sorted as asked, then the
// rows without an IRQ number (LOC, NMI, …: per-CPU kernel interrupts no affinity can move) set apart.
// By device: one group per device, busiest device first, its queues in queue order; then the IRQs
// without a device, busiest first (`groups` says where each group starts).
function heatRows() {
  const m = state.live;
  const q = $("heat-filter").value.trim().toLowerCase();
  const text = (r) => {
    const d = deviceOf(r.irq);
    return [r.irq, r.name, ...(d ? [...(d.netdevs || []), d.pci, d.driver] : [])].join(" ").toLowerCase();
  };
  const rows = m.irqs.filter((r) => !q || text(r).includes(q));
  const busiest = (r) => r.rates.reduce((bi, v, i, a) => (v > a[bi] ? i : bi), 0);
  const fixed = rows.filter((r) => !/^\d+$/.test(r.irq)).sort((a, b) => b.rate - a.rate);
  let movable = rows.filter((r) => /^\d+$/.test(r.irq));
  const groups = [];
  if ($("heat-sort").value === "device") {
    if (!state.devices || (movable.some((r) => !state.devices.has(r.irq)) && Date.now() - devicesAsked > 10_000)) {
      if (Date.now() - devicesAsked > 2_000) loadDevices();
    }
    const byKey = new Map(), none = [];
    for (const r of movable) {
      const d = deviceOf(r.irq), key = deviceKey(d);
      if (!key) { none.push(r); continue; }
      if (!byKey.has(key)) byKey.set(key, { key, device: d, rows: [], rate: 0 });
      const g = byKey.get(key);
      g.rows.push(r);
      g.rate += r.rate;
    }
    const queue = (r) => { const d = deviceOf(r.irq); return d && d.queue != null ? d.queue : Infinity; };
    const sorted = [...byKey.values()].sort((a, b) => b.rate - a.rate || a.key.localeCompare(b.key, undefined, { numeric: true }));
    movable = [];
    for (const g of sorted) {
      g.rows.sort((a, b) => queue(a) - queue(b) || Number(a.irq) - Number(b.irq));
      groups.push({ key: g.key, device: g.device, start: movable.length, count: g.rows.length, rate: g.rate });
      movable.push(...g.rows);
    }
    if (none.length) groups.push({ key: null, start: movable.length, count: none.length, rate: none.reduce((a, r) => a + r.rate, 0) });
    movable.push(...none.sort((a, b) => b.rate - a.rate));
  } else {
    movable.sort({
      load: (a, b) => b.rate - a.rate,
      cpu: (a, b) => busiest(a) - busiest(b) || b.rate - a.rate,
    }[$("heat-sort").value]);
  }
  return { movable, fixed, groups };
}

// "eth2 · mlx5_core 0000:3b:00.0 · node 1 · 16 IRQs · 1.2M/s"
function groupLabel(g) {
  if (!g.key) return `no device known · ${g.count} IRQ${g.count === 1 ? "" : "s"} · ${fmt(g.rate)}/s`;
  const d = g.device, bits = [g.key];
  const pci = d.netdevs && d.netdevs.length ? [d.driver, d.pci].filter(Boolean).join(" ") : d.driver;
  if (pci) bits.push(pci);
  if (d.node != null && d.node >= 0) bits.push(`node ${d.node}`);
  bits.push(`${g.count} IRQ${g.count === 1 ? "" : "s"}`, `${fmt(g.rate)}/s`);
  return bits.join(" · ");
}

function drawHeatLegend(max) {
  const { ctx, w, h } = fitCanvas($("heat-legend"), 28);
  const bar = w - 10;
  for (let x = 0; x < bar; x++) {
    ctx.fillStyle = heatColor(Math.pow(10, (x / bar) * Math.log10(1 + max)) - 1, max);
    ctx.fillRect(5 + x, 0, 1, 12);
  }
  ctx.strokeStyle = "#dcdfe2";
  ctx.strokeRect(5, 0, bar, 12);
  ctx.fillStyle = "#6b7177";
  ctx.font = "10px system-ui, sans-serif";
  const ticks = [0];
  for (let p = 1; Math.pow(10, p) < max; p++) ticks.push(Math.pow(10, p));
  ticks.push(max);
  // Powers of ten, then the maximum at the right end; a label that would touch its neighbour is left out.
  const xOf = (v) => 5 + bar * Math.log10(1 + v) / Math.log10(1 + max);
  const place = (v) => {
    const label = Number.isInteger(v) && v < 1e4 ? String(v) : fmt(v), width = ctx.measureText(label).width;
    return { v, label, x: xOf(v), at: Math.min(w - width, Math.max(0, xOf(v) - width / 2)), width };
  };
  const last = place(max);
  let end = -Infinity;
  for (const t of [...ticks.slice(0, -1).map(place), last]) {
    if (t !== last && (t.at < end + 4 || t.at + t.width > last.at - 4)) continue;
    ctx.fillRect(t.x, 12, 1, 3);
    ctx.fillText(t.label, t.at, h - 2);
    end = t.at + t.width;
  }
}

function drawHeat() {
  const m = state.live;
  const canvas = $("heat");
  if (!m || !m.irqs) return;
  const { movable, fixed, groups } = heatRows();
  const cpus = m.irq_cpus || [];
  const all = movable.length + fixed.length;
  const rowH = all > 64 ? 6 : 12, axis = 16, apart = fixed.length ? 16 : 0, left = CPU_LEFT, band = 14;
  const height = Math.max(60, axis + all * rowH + apart + groups.length * band + 4);
  const { ctx, w } = fitCanvas(canvas, height);
  const cw = (w - left) / Math.max(1, cpus.length), cellW = cw >= 3 ? cw - 1 : Math.ceil(cw);
  let max = 1;
  for (const r of m.irqs) for (const v of r.rates) if (v > max) max = v;
  const hot = new Set(state.overloaded.map((o) => o.cpu));
  ctx.font = "10px system-ui, sans-serif";
  // The CPU axis, columns exactly under the bars above; overloaded CPUs in red.
  const every = labelEvery(cpus.length, w - left);
  state.heatAxis = { left, width: cw, labels: cpus.filter((c, i) => i % every === 0) };
  ctx.fillStyle = "#6b7177";
  ctx.fillText("IRQ name \u2193   CPU \u2192", 2, 11);
  cpus.forEach((c, i) => {
    if (i % every) return;
    ctx.fillStyle = hot.has(c) ? "#c62828" : (c === state.drillCpu ? "#2f6db5" : "#6b7177");
    ctx.fillText(String(c), left + i * cw + 1, 11);
  });
  const layout = [];
  let y = axis;
  const drawRow = (r) => {
    if (rowH >= 10) { ctx.fillStyle = r.irq === state.selected ? "#2f6db5" : "#1d2125"; ctx.fillText((r.irq + " " + r.name).slice(0, 24), 2, y + 9); }
    for (let c = 0; c < cpus.length; c++) {
      ctx.fillStyle = heatColor(r.rates[c], max);
      ctx.fillRect(left + c * cw, y, cellW, rowH - 1);
    }
    layout.push({ y, r });
    y += rowH;
  };
  // By device: a band over each device's rows with its name, driver, node, IRQ count and load.
  const starts = new Map(groups.map((g) => [g.start, g]));
  const drawnGroups = [];
  movable.forEach((r, i) => {
    const g = starts.get(i);
    if (g) {
      ctx.fillStyle = "#eef1f4";
      ctx.fillRect(0, y + 1, w, band - 2);
      ctx.fillStyle = g.key ? "#1d2125" : "#6b7177";
      ctx.fillText(groupLabel(g), 4, y + band - 4);
      drawnGroups.push({ key: g.key, y, irqs: movable.slice(g.start, g.start + g.count).map((x) => x.irq), rate: g.rate });
      y += band;
    }
    drawRow(r);
  });
  state.heatGroups = drawnGroups;
  if (fixed.length) {
    ctx.fillStyle = "#dcdfe2";
    ctx.fillRect(0, y + 2, w, 1);
    ctx.fillStyle = "#6b7177";
    ctx.fillText("not movable: per-CPU kernel interrupts (no IRQ number)", 2, y + 13);
    y += apart;
    fixed.forEach(drawRow);
  }
  drawHeatLegend(max);
  state.heatRows = movable.map((r) => r.irq);
  state.heatFixed = fixed.map((r) => r.irq);
  const at = (e) => {
    const rect = canvas.getBoundingClientRect();
    const py = e.clientY - rect.top;
    const row = layout.find((l) => py >= l.y && py < l.y + rowH);
    return { py, row: row && row.r, c: columnAt(canvas, e, left, cpus.length), rect };
  };
  canvas.onmousemove = (e) => {
    const { row, c, rect } = at(e);
    const tip = $("heat-tip");
    if (!row || c < 0) { tip.hidden = true; return; }
    tip.hidden = false;
    const dev = deviceKey(deviceOf(row.irq)), q = deviceOf(row.irq)?.queue;
    tip.textContent = `IRQ ${row.irq} ${row.name}${dev ? ` (${dev}${q != null ? ` queue ${q}` : ""})` : ""} on CPU ${cpus[c]}: ${fmt(row.rates[c])}/s`;
    tip.style.left = (e.clientX - rect.left + 12) + "px";
    tip.style.top = (canvas.offsetTop + e.clientY - rect.top + 12) + "px";
  };
  canvas.onmouseleave = () => { $("heat-tip").hidden = true; };
  canvas.onclick = (e) => {
    const { py, row, c } = at(e);
    if (py < axis && c >= 0) drillDown(cpus[c]);
    else if (row) select(row.irq);
  };
}

// CPU -> its IRQs: the busiest IRQs over the window on that CPU alone, from GET /api/v1/interrupts.
async function drillDown(cpu) {
  state.drillCpu = cpu;
  const r = await api("GET", `/api/v1/interrupts?window=${$("window").value}&cpus=${cpu}&top=50`);
  $("cpu-drill").hidden = false;
  const body = $("cpu-drill-table").tBodies[0];
  if (!r.ok) { $("cpu-drill-title").textContent = `CPU ${cpu}: ${errorText(r)}`; body.replaceChildren(); return; }
  const seconds = r.json.window.seconds, cpuCount = r.json.cpu_totals.length ? r.json.cpu_totals[0].count : 0;
  const rows = r.json.irqs.filter((x) => x.counts[0] > 0).sort((a, b) => b.counts[0] - a.counts[0]);
  state.drill = rows.map((x) => x.irq);
  state.drillShown = cpu;   // the CPU whose list is on screen (drillCpu is the one asked for)
  const over = state.overloaded.find((o) => o.cpu === cpu);
  $("cpu-drill-title").textContent = `CPU ${cpu}: ${fmt(perSecond(cpuCount, seconds))} interrupts/s over ${seconds.toFixed(0)} s from ` +
    `${rows.length}${rows.length === 50 ? "+" : ""} IRQs` + (over ? ` — overloaded (${reasonsText(over.reasons)})` : "");
  $("cpu-drill-title").className = over ? "overload" : "";
  body.replaceChildren(...rows.map((x) => {
    const tr = document.createElement("tr");
    cell(tr, x.irq);
    cell(tr, x.name);
    cell(tr, fmt(perSecond(x.counts[0], seconds)), "num");
    cell(tr, cpuCount ? (100 * x.counts[0] / cpuCount).toFixed(1) + "%" : "–", "num");
    cell(tr, x.affinity ?? "");
    tr.onclick = () => select(x.irq);
    return tr;
  }));
  drawHeat();
}

function drawCpus() {
  const m = state.live;
  if (!m || !m.cpus) return;
  const cpus = m.cpus.map((c) => c.cpu), rates = m.cpus.map((c) => c.rate);
  const ticks = cpus.map((c) => state.windowCpus.has(c) ? state.windowCpus.get(c) : null);
  // Overloaded in the last sample: softnet drops or squeezes, or interrupt time past --overload-share.
  state.overloaded = m.cpus.filter((c) => c.overloaded).map((c) => ({ cpu: c.cpu, reasons: c.overload_reasons || [] }));
  const hot = new Set(state.overloaded.map((o) => o.cpu));
  const canvas = $("cpu-bars");
  state.barAxis = drawBars(canvas, cpus, rates, ticks, cpus.length > 64 ? 120 : 160,
    (i) => hot.has(cpus[i]) ? "#c62828" : (cpus[i] === state.drillCpu ? "#1b4f8a" : "#2f6db5"), CPU_LEFT);
  canvas.onclick = (e) => { const c = columnAt(canvas, e, CPU_LEFT, cpus.length); if (c >= 0) drillDown(cpus[c]); };
  canvas.onmousemove = (e) => {
    const c = columnAt(canvas, e, CPU_LEFT, cpus.length), tip = $("cpu-tip");
    if (c < 0) { tip.hidden = true; return; }
    const o = state.overloaded.find((x) => x.cpu === cpus[c]);
    tip.hidden = false;
    tip.textContent = `CPU ${cpus[c]}: ${fmt(rates[c])}/s now, ${fmt(ticks[c])}/s over the window` + (o ? ` — overloaded: ${reasonsText(o.reasons)}` : "");
    const rect = canvas.getBoundingClientRect();
    tip.style.left = (e.clientX - rect.left + 12) + "px";
    tip.style.top = (canvas.offsetTop + e.clientY - rect.top + 12) + "px";
  };
  canvas.onmouseleave = () => { $("cpu-tip").hidden = true; };
  let busiest = 0;
  rates.forEach((r, i) => { if (r > rates[busiest]) busiest = i; });
  const total = rates.reduce((a, b) => a + b, 0);
  $("cpu-summary").textContent = cpus.length
    ? `${cpus.length} CPUs · busiest CPU ${cpus[busiest]} at ${fmt(rates[busiest])}/s (${total ? (100 * rates[busiest] / total).toFixed(1) : 0}% of all)`
    : "";
  $("cpu-overload").textContent = state.overloaded.length
    ? "Overloaded: " + state.overloaded.slice(0, 8).map((o) => `CPU ${o.cpu} (${reasonsText(o.reasons)})`).join("; ") +
      (state.overloaded.length > 8 ? ` and ${state.overloaded.length - 8} more` : "")
    : "";
}

function onSample(m) {
  state.live = m;
  state.samples++;
  $("total-rate").textContent = fmt(m.total_rate);
  $("sample-count").textContent = String(state.samples);
  $("sample-time").textContent = m.time ? m.time.replace(/^.*T/, "").replace(/\..*$|Z$/, "") : "–";
  drawCpus();
  drawHeat();
  chartLive(m);
}

function onSelectedSample(m) {
  const r = m.irqs && m.irqs[0];
  if (!r || r.irq !== state.selected) return;
  state.selectedLive = { cpus: m.irq_cpus, rates: r.rates, rate: r.rate, time: m.time };
  $("irq-live-rate").textContent = fmt(r.rate);
  const busy = m.irq_cpus.map((c, i) => [c, r.rates[i]]).filter((x) => x[1] > 0).sort((a, b) => b[1] - a[1]).slice(0, 8);
  $("irq-live-cpus").textContent = busy.length ? busy.map(([c, v]) => `CPU${c} ${fmt(v)}/s`).join(", ") : "no CPU";
  drawBars($("irq-bars"), m.irq_cpus, r.rates, null, 90, "#5b8fd1");
}

// One WebSocket with a subscription, reconnecting with a growing delay when it drops.
function stream(subscription, onMessage, onState, onEvent) {
  let ws = null, delay = 500, closed = false;
  const open = () => {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/stream";
    ws = new WebSocket(url);
    ws.onopen = () => { delay = 500; ws.send(JSON.stringify(subscription())); if (onState) onState(true); };
    ws.onmessage = (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m.type === "snapshot" || m.type === "sample") onMessage(m);
      // An event message carries the event as GET /api/v1/events lists it in "event" (its own type is
      // also "event_type", as "type" says "event").
      else if (m.type === "event" && onEvent) onEvent(m.event || { ...m, type: m.event_type });
    };
    ws.onclose = () => {
      if (onState) onState(false, state.needsToken);
      if (!closed) setTimeout(open, delay = Math.min(delay * 2, 10000));
    };
    ws.onerror = () => {};
  };
  open();
  return {
    resubscribe() { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(subscription())); },
    close() { closed = true; if (ws) ws.close(); },
  };
}

async function refreshWindow() {
  const win = $("window").value;
  const [irqs, cpus] = await Promise.all([api("GET", `/api/v1/interrupts?window=${win}&top=20`), api("GET", `/api/v1/cpus?window=${win}`)]);
  if (cpus.ok) {
    state.windowCpus = new Map(cpus.json.cpus.map((c) => [c.cpu, c.rate]));
    $("machine").textContent = `${cpus.json.cpus.length} CPUs`;
  }
  if (!irqs.ok) { $("window-info").textContent = errorText(irqs); return; }
  const w = irqs.json.window;
  $("window-info").textContent = `${fmt(irqs.json.rate)}/s on average over ${w.seconds.toFixed(0)} s` + (w.complete ? "" : " (history shorter than the window)");
  const body = $("window-table").tBodies[0];
  body.replaceChildren(...irqs.json.irqs.map((r) => {
    const tr = document.createElement("tr");
    let bi = 0;
    r.counts.forEach((v, i) => { if (v > r.counts[bi]) bi = i; });
    const cells = [r.irq, r.name, r.affinity ?? "", r.effective ?? "", String(r.total), fmt(r.rate),
      r.total ? `CPU${irqs.json.cpus[bi]} (${(100 * r.counts[bi] / r.total).toFixed(0)}%)` : ""];
    cells.forEach((text, i) => {
      const td = document.createElement("td");
      td.textContent = text;
      if (i === 4 || i === 5) td.className = "num";
      tr.appendChild(td);
    });
    tr.onclick = () => select(r.irq);
    return tr;
  }));
  if (state.selected) showDetail(state.selected);
  if (state.drillCpu != null) drillDown(state.drillCpu);
}

async function showDetail(irq) {
  const r = await api("GET", `/api/v1/interrupts/${encodeURIComponent(irq)}?window=${$("window").value}`);
  if (!r.ok) { $("irq-title").textContent = errorText(r); $("irq-detail").hidden = true; return; }
  const d = r.json;
  $("irq-title").textContent = `${d.name} (${d.chip || "named row"})`;
  $("irq-detail").hidden = false;
  const facts = [["affinity", d.affinity ?? "–"], ["effective", d.effective ?? "–"], ["NUMA node", d.node ?? "–"],
    ["since boot", String(d.total)], [`over ${d.window.seconds.toFixed(0)} s`, `${d.window_total} (${fmt(d.rate)}/s)`]];
  $("irq-facts").replaceChildren(...facts.flatMap(([k, v]) => {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = k;
    dd.textContent = v;
    dd.id = "irq-fact-" + k.replace(/\W+/g, "-");
    return [dt, dd];
  }));
  if (!$("affinity-cpus").value && d.affinity) $("affinity-cpus").placeholder = d.affinity;
}

let selectedStream = null;
function select(irq) {
  irq = String(irq).trim();
  if (!irq) return;
  state.selected = irq;
  state.selectedLive = null;
  $("irq-input").value = irq;
  $("affinity-result").textContent = "";
  $("irq-live-rate").textContent = "–";
  $("irq-live-cpus").textContent = "–";
  showDetail(irq);
  if (selectedStream) selectedStream.resubscribe();
  else selectedStream = stream(() => ({ type: "subscribe", cpus: false, irqs: [state.selected] }), onSelectedSample);
  drawHeat();
}

async function setAffinity(e) {
  e.preventDefault();
  const cpus = $("affinity-cpus").value.trim();
  const out = $("affinity-result");
  if (!state.selected || !cpus) { out.className = "error"; out.textContent = "choose an IRQ and a CPU list"; return; }
  const r = await api("PUT", `/api/v1/interrupts/${encodeURIComponent(state.selected)}/affinity`, { cpus });
  if (r.ok) {
    out.className = "okay";
    out.textContent = r.json.changed ? `set: affinity ${r.json.affinity}, effective ${r.json.effective ?? "–"}` : `already ${r.json.affinity}`;
    showDetail(state.selected);
  } else {
    out.className = "error";
    out.textContent = errorText(r);
  }
}

// Before and after per CPU, side by side, on a scale set by the "after" bars (and the before bars of
// CPUs that are not far above them), so the after bars stay readable when a few CPUs carry everything:
// a before bar past the scale is cut at the top, its number written over it.
function drawPlanBars(canvas, cpus, before, after) {
  const { ctx, w, h } = fitCanvas(canvas, 140);
  const n = cpus.length, left = 60, bottom = 14, top = 12;
  const afterMax = Math.max(1, ...after);
  const max = Math.max(afterMax * 1.25, ...before.filter((v) => v <= afterMax * 2));
  const slot = (w - left) / n, bw = Math.max(1, (slot - (slot >= 4 ? 1 : 0)) / 2), every = labelEvery(n, w - left);
  const y = (v) => (h - bottom - top) * Math.min(v, max) / max;
  const cut = [];
  let labelEnd = -1;
  ctx.font = "10px system-ui, sans-serif";
  ctx.fillStyle = "#6b7177";
  ctx.fillText(fmt(max) + "/s", 2, top + 8);
  ctx.fillText("0", 2, h - bottom);
  ctx.fillText("CPU", 2, h - 2);
  for (let i = 0; i < n; i++) {
    const x = left + i * slot;
    ctx.fillStyle = "#e07b00";
    ctx.fillRect(x, h - bottom - y(before[i]), bw, y(before[i]));
    ctx.fillStyle = "#22793a";
    ctx.fillRect(x + bw, h - bottom - y(after[i]), bw, y(after[i]));
    if (before[i] > max) {
      // Numbers of neighbouring cut bars would overlap: those go in the line under the chart only.
      const label = "\u2191" + fmt(before[i]);
      ctx.fillStyle = "#b35900";
      if (x > labelEnd) { ctx.fillText(label, x, top - 2); labelEnd = x + ctx.measureText(label).width + 3; }
      cut.push(`CPU ${cpus[i]} ${fmt(before[i])}/s`);
    }
    if (i % every === 0) { ctx.fillStyle = "#6b7177"; ctx.fillText(String(cpus[i]), x + 1, h - 2); }
  }
  $("balance-cut").textContent = cut.length
    ? `before, past the scale: ${cut.slice(0, 8).join(", ")}${cut.length > 8 ? ` and ${cut.length - 8} more` : ""}` : "";
}

const MOVES_PER_PAGE = 100;
function drawMoves() {
  const plan = state.plan, seconds = planSeconds(plan);
  const all = plan.moves || [];
  const pages = Math.max(1, Math.ceil(all.length / MOVES_PER_PAGE));
  state.movePage = Math.min(Math.max(0, state.movePage), pages - 1);
  const first = state.movePage * MOVES_PER_PAGE, moves = all.slice(first, first + MOVES_PER_PAGE);
  $("balance-page-info").textContent = all.length
    ? `showing ${first + 1}–${first + moves.length} of ${all.length} moves` : "no moves";
  $("balance-prev").disabled = state.movePage === 0;
  $("balance-next").disabled = state.movePage >= pages - 1;
  $("balance-prev").hidden = $("balance-next").hidden = pages === 1;
  $("balance-moves").hidden = moves.length === 0;
  $("balance-moves").tBodies[0].replaceChildren(...moves.map((m) => {
    const tr = document.createElement("tr");
    cell(tr, m.irq);
    cell(tr, m.name);
    cell(tr, fmt(perSecond(m.load, seconds)), "num");
    cell(tr, m.from ?? "–");
    cell(tr, String(m.to));
    tr.onclick = () => select(m.irq);
    return tr;
  }));
}

// A plan's loads are interrupts counted over its window; shown per second.
const planSeconds = (plan) => (plan.window && plan.window.seconds) || 0;

// Why a plan leaves CPUs alone: the NUMA rule keeps a device's IRQs on its node's CPUs (the plan's
// numa_local, one line per node): "eth0 is on NUMA node 0: its 64 IRQs stay on CPUs 0–31 (node-local)".
function numaLines(plan) {
  return (plan.numa_local || []).map((n) => {
    const names = n.netdevs.length ? n.netdevs : n.devices;
    const shown = names.length > 4 ? `${names.slice(0, 4).join(", ")} and ${names.length - 4} more` : names.join(", ");
    const who = names.length === 0 ? `${n.irqs} IRQs of its devices` : `${shown} ${names.length === 1 ? "is" : "are"}`;
    const cpus = `CPU${n.cpus.includes("-") || n.cpus.includes(",") ? "s" : ""} ${n.cpus.replace(/-/g, "–")}`;
    return names.length === 0
      ? `NUMA node ${n.node}: ${who} stay on ${cpus} (node-local)`
      : `${who} on NUMA node ${n.node}: ${names.length === 1 ? "its" : "their"} ${n.irqs} IRQs stay on ${cpus} (node-local)`;
  });
}

function drawPlan(plan) {
  const loads = plan.cpu_loads || [];
  const seconds = planSeconds(plan);
  $("balance-plan").hidden = false;
  $("balance-numa").replaceChildren(...numaLines(plan).map((text) => {
    const line = document.createElement("div");
    line.textContent = text;
    return line;
  }));
  const cpus = loads.map((l) => l.cpu), before = loads.map((l) => perSecond(l.before, seconds)), after = loads.map((l) => perSecond(l.after, seconds));
  if (loads.length) drawPlanBars($("balance-bars"), cpus, before, after);
  $("balance-cpus").tBodies[0].replaceChildren(...loads.map((l, i) => {
    const tr = document.createElement("tr");
    cell(tr, String(l.cpu));
    cell(tr, fmt(before[i]), "num");
    cell(tr, fmt(after[i]), "num");
    const d = after[i] - before[i];
    cell(tr, (d > 0 ? "+" : d < 0 ? "−" : "") + fmt(Math.abs(d)), "num");
    return tr;
  }));
  state.movePage = 0;
  drawMoves();
  // An applied plan shows up in the history and, as an event, on the chart.
  if (plan.applied) { refreshHistory(); loadEvents(); }
}

async function refreshHistory() {
  const r = await api("GET", "/api/v1/balance/history");
  if (!r.ok) { $("balance-history-info").textContent = errorText(r); return; }
  state.history = r.json.plans;
  $("balance-history-info").textContent = `newest first, the last ${r.json.limit} kept; ${r.json.revertible} can be reverted`;
  $("balance-revert").disabled = r.json.revertible === 0;
  $("balance-history").tBodies[0].replaceChildren(...r.json.plans.map((p) => {
    const tr = document.createElement("tr");
    const seconds = (p.window && p.window.seconds) || 0;
    cell(tr, clockTime(p.time));
    cell(tr, "#" + p.id);
    cell(tr, p.kind === "revert" ? `revert of #${p.reverts}` : `plan${p.improvement != null ? `, busiest CPU ${(100 * p.improvement).toFixed(1)}% lighter` : ""}`);
    cell(tr, p.trigger || "");
    cell(tr, p.move_count != null ? String(p.move_count) : "", "num");
    cell(tr, p.changed != null ? String(p.changed) : "", "num");
    cell(tr, p.before && p.after ? `${fmt(perSecond(p.before.max_load, seconds))} → ${fmt(perSecond(p.after.max_load, seconds))}/s` : "", "num");
    return tr;
  }));
}

async function revert() {
  const out = $("balance-result");
  out.className = "";
  out.textContent = "reverting…";
  const r = await api("POST", "/api/v1/balance/revert");
  if (!r.ok) { out.className = "error"; out.textContent = errorText(r); return; }
  out.className = "okay";
  out.textContent = `reverted plan #${r.json.reverted}: ${r.json.changed} affinities restored`;
  refreshHistory();
  loadEvents();
}

async function balance(apply) {
  const out = $("balance-result");
  out.className = "";
  out.textContent = apply ? "applying…" : "planning…";
  const body = { window: $("window").value };
  // Apply applies the plan on screen, by its id (irqd refuses it with 409 plan_stale if the machine changed).
  const r = apply && state.plan && state.plan.id
    ? await api("POST", `/api/v1/balance/plans/${state.plan.id}/apply`)
    : await api("POST", "/api/v1/balance" + (apply ? "?apply=true" : ""), body);
  if (r.status === 404) { $("balance-section").hidden = true; return; }
  if (!r.ok) { out.className = "error"; out.textContent = errorText(r); return; }
  const plan = r.json.plan || r.json;
  state.plan = plan;
  drawPlan(plan);
  const moves = plan.move_count ?? (plan.moves || []).length;
  out.className = "okay";
  // Moves off CPUs outside the plan (banned, isolated) are made whatever they gain: say so.
  const forced = plan.forced_moves ? ` (${plan.forced_moves} off CPUs outside the plan)` : "";
  out.textContent = (apply ? "applied: " : "") + `${moves} moves${forced}, busiest CPU ${(100 * (plan.improvement || 0)).toFixed(1)}% lighter` +
    (plan.below_threshold ? (plan.forced_moves ? " (the rest below the threshold)" : " (below the threshold: nothing to do)") : "");
  $("balance-apply").disabled = apply || moves === 0;
}

// ---- History: uPlot charts from GET /api/v1/series, events from /api/v1/events and the stream ----

// "5m", "30d", and irqd's composite durations ("1d12h", "500ms").
const rangeSeconds = (text) => [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)]
  .reduce((sum, [, n, unit]) => sum + Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[unit], 0);

// The time picker offers ranges as far as the longest history tier keeps (health's history.tiers,
// "1s:1h,1m:1d,1h:30d"), and the first range past it, which shows all there is.
async function fitRangesToHistory() {
  const r = await api("GET", "/api/v1/health");
  const tiers = r.ok && r.json.history && r.json.history.tiers;
  if (!tiers) return;
  const keep = Math.max(...tiers.split(",").map((t) => rangeSeconds(t.split(":")[1] || "")));
  const picker = $("chart-range");
  let past = false;
  for (const o of picker.options) {
    o.hidden = o.disabled = past;
    if (rangeSeconds(o.value) >= keep) past = true;
  }
  if (picker.selectedOptions[0].disabled) {
    picker.value = [...picker.options].filter((o) => !o.disabled).pop().value;
    loadChart();
  }
  picker.title = `history kept here: ${tiers}`;
}
// What the history chart shows (the selector over it): the series query, the unit, each CPU's rates and
// the total in an answer, and a CPU's number in a stream sample (its `softirqs`/`softnet` over the last
// frame). The softnet counters come in one answer, three series per CPU.
const softnetKind = (field, unit, title) => ({ query: "what=softnet", perCpu: 3, unit, title, rates: (x) => x[field], total: (s) => s.total[field],
  live: (c) => (c.softnet && c.softnet[field] ? c.softnet[field].rate : null) });
const chartKinds = {
  cpus: { query: "what=cpus", perCpu: 1, unit: "interrupts/s", title: "interrupts/s", rates: (x) => x.rates, total: (s) => s.total, live: (c) => c.rate },
  net_rx: { query: "what=softirqs&type=NET_RX", perCpu: 1, unit: "NET_RX/s", title: "NET_RX softirqs/s (/proc/softirqs)", rates: (x) => x.rates,
    total: (s) => s.total, live: (c) => (c.softirqs && c.softirqs.NET_RX ? c.softirqs.NET_RX.rate : null) },
  dropped: softnetKind("dropped", "drops/s", "packets dropped/s, backlog full (softnet_stat)"),
  time_squeezed: softnetKind("time_squeezed", "squeezes/s", "times NET_RX ran out of budget with work left, per second (softnet_stat)"),
  processed: softnetKind("processed", "packets/s", "packets processed/s (softnet_stat)"),
};
const chartKind = () => chartKinds[$("chart-what").value] || chartKinds.cpus;

const fmtDuration = (s) => s < 60 ? `${+s.toFixed(3)} s` : s < 3600 ? `${+(s / 60).toFixed(1)} min` : s < 86400 ? `${+(s / 3600).toFixed(1)} h` : `${+(s / 86400).toFixed(1)} d`;
const cpuColor = (i, alpha = 1) => `hsla(${Math.round(i * 137.508) % 360},65%,${i % 2 ? 38 : 48}%,${alpha})`;
// Running sums of the per-CPU rates, for the stacked chart (a missing point counts as 0 there).
function stack(rates) {
  let sum = null;
  return rates.map((r) => (sum = r.map((v, i) => (sum ? sum[i] : 0) + (v ?? 0))));
}

// Puts times and per-CPU rates (and the total) on the charts, stacked when asked; c.shown keeps the
// numbers as they are for the legend and the hover line.
function showChartData(times, rates, total, resetScales = true) {
  const c = state.chart;
  c.shown = { times, rates, total };
  c.plots[0].setData([times, ...(c.stacked ? stack(rates) : rates)], resetScales);
  c.plots[1].setData([times, total], resetScales);
}
const eventColor = { plan_applied: "#22793a", revert: "#b3261e", affinity: "#6b7177" };
const eventLabel = (e) => e.type === "plan_applied" ? `plan ${e.plan_id ?? ""}` : e.type === "revert" ? "revert" : "affinity";

// Draws each event in the plot's time range as a dashed vertical line with a label at the top, right
// of the line; a label that would overlap the one before is left out (the list below has them all).
function eventsPlugin() {
  return { hooks: { draw: [(u) => {
    const { ctx } = u, dpr = window.devicePixelRatio || 1, top = u.bbox.top, bottom = top + u.bbox.height;
    let drawn = 0, labelEnd = -Infinity;
    ctx.save();
    ctx.lineWidth = 1.5 * dpr;
    ctx.setLineDash([5 * dpr, 4 * dpr]);
    ctx.font = `${10 * dpr}px system-ui, sans-serif`;
    ctx.textAlign = "left";   // uPlot leaves the axes' alignment on the context
    ctx.textBaseline = "alphabetic";
    for (const e of state.chart.events) {
      const t = Date.parse(e.time) / 1000;
      if (!(t >= u.scales.x.min && t <= u.scales.x.max)) continue;
      const x = Math.round(u.valToPos(t, "x", true));
      ctx.strokeStyle = ctx.fillStyle = eventColor[e.type] || "#6b7177";
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      if (x + 3 * dpr > labelEnd) {
        ctx.fillText(eventLabel(e), x + 3 * dpr, top + 10 * dpr);
        labelEnd = x + 3 * dpr + ctx.measureText(eventLabel(e)).width + 4 * dpr;
      }
      drawn++;
    }
    ctx.restore();
    if (u === state.chart.plots[0]) state.chart.drawnEvents = drawn;
  }] } };
}

// Time ticks in the 24-hour clock of the browser's locale: seconds when the chart spans minutes,
// the day when it spans days.
function timeTicks(u, ticks) {
  const span = u.scales.x.max - u.scales.x.min;
  const opts = span > 2 * 86400 ? { month: "short", day: "numeric", hour: "2-digit", hour12: false }
    : span > 600 ? { hour: "2-digit", minute: "2-digit", hour12: false } : { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false };
  return ticks.map((t) => new Date(t * 1000).toLocaleString([], opts));
}

const timeSeries = { value: (u, v) => (v == null ? "–" : new Date(v * 1000).toLocaleString([], { hour12: false })) };

function makeCharts() {
  const c = state.chart;
  c.plots.forEach((p) => p.destroy());
  c.plots = [];
  const width = $("chart-cpus").clientWidth || 800, n = c.series.series.length;
  const value = (u, v) => fmt(v);
  c.stacked = $("chart-stacked").checked;
  const common = (height) => ({
    width, height, plugins: [eventsPlugin()],
    cursor: { drag: { x: true, y: false }, sync: { key: "irqd-history" } },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [{ values: timeTicks, space: 60, incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800] }, { label: c.kind.unit, size: 64, values: (u, vals) => vals.map(fmt) }],
    hooks: {
      // Zooming one chart zooms the other; a zoomed chart stops following the live data.
      setScale: [(u, key) => {
        if (key !== "x") return;
        if (u === c.plots[0] && c.times.length)
          c.zoomed = u.scales.x.min > c.times[0] + c.step / 2 || u.scales.x.max < c.times[c.times.length - 1] - c.step / 2;
        if (u === c.plots[0] && c.zoomed) zoomDetail(u.scales.x.min, u.scales.x.max);
        for (const p of c.plots) if (p !== u && (p.scales.x.min !== u.scales.x.min || p.scales.x.max !== u.scales.x.max))
          p.setScale("x", { min: u.scales.x.min, max: u.scales.x.max });
      }],
      setCursor: [(u) => {
        const i = u.cursor.idx;
        if (u !== c.plots[0] || i == null) return;
        const { times, rates, total } = c.shown;
        let bi = -1;
        rates.forEach((r, k) => { if (r[i] != null && (bi < 0 || r[i] > rates[bi][i])) bi = k; });
        $("chart-hover").textContent = `${new Date(times[i] * 1000).toLocaleString([], { hour12: false })}: all CPUs ${fmt(total[i])} ${c.kind.unit}` +
          (bi >= 0 ? `, busiest CPU ${c.series.series[bi].cpu} at ${fmt(rates[bi][i])}/s` : "");
      }],
    },
  });
  // Up to 16 CPUs a legend with values; past that the line above the chart names the busiest.
  // Stacked: each CPU's band lies between its running sum and the one below; the legend shows its own rate.
  const own = (u, v, si, idx) => (idx == null || !c.shown ? "–" : fmt(c.shown.rates[si - 1][idx]));
  c.plots.push(new uPlot({ ...common(n > 16 ? 300 : 240), legend: { show: n <= 16 },
    bands: c.stacked ? c.series.series.slice(1).map((x, k) => ({ series: [k + 2, k + 1] })) : [],
    series: [timeSeries, ...c.series.series.map((x, i) => ({ label: "CPU " + x.cpu, stroke: cpuColor(i), width: 1, points: { show: false },
      fill: c.stacked ? cpuColor(i, 0.35) : undefined, value: own }))] },
  [[], ...c.series.series.map(() => [])], $("chart-cpus")));
  c.plots.push(new uPlot({ ...common(140),
    series: [timeSeries, { label: "all CPUs", stroke: "#2f6db5", fill: "rgba(47,109,181,.12)", width: 1.5, points: { show: false }, value }] },
  [[], []], $("chart-total")));
  if (c.detail) showChartData(c.detail.times, c.detail.rates, c.detail.total);
  else showChartData(c.times, c.rates, c.total);
}

// A zoom into a chart coarser than the history asks for the zoomed span alone, at the finest step the
// history has for it; a double-click goes back to the whole range (and to following the stream).
let zoomTimer = null;
function zoomDetail(min, max) {
  clearTimeout(zoomTimer);
  zoomTimer = setTimeout(async () => {
    const c = state.chart;
    if (!c.zoomed || c.step <= c.series.resolution_s) return;
    const kind = c.kind;
    const r = await api("GET", `/api/v1/series?${kind.query}&from=${Math.floor(min)}&to=${Math.ceil(max)}`);
    if (!r.ok || !c.zoomed || c.kind !== kind) return;
    const s = r.json, byCpu = new Map(s.series.map((x) => [x.cpu, kind.rates(x)]));
    c.detail = { step: s.step_s, times: s.times, rates: c.series.series.map((x) => byCpu.get(x.cpu) || s.times.map(() => null)), total: kind.total(s) };
    showChartData(c.detail.times, c.detail.rates, c.detail.total, false);
    $("chart-info").textContent = chartInfo(c.series) + `; zoomed: a point per ${fmtDuration(s.step_s)}`;
  }, 300);
}

// The live data again, with the samples that came while zoomed (a zoomed chart does not take them:
// uPlot's own double-click alone would go back to the data as it was, and still be zoomed).
function zoomOut() {
  const c = state.chart;
  clearTimeout(zoomTimer);
  c.detail = null;
  c.zoomed = false;
  showChartData(c.times, c.rates, c.total);
  $("chart-info").textContent = chartInfo(c.series);
}

const chartInfo = (s) => `${s.series.length} CPUs, a point per ${fmtDuration(s.step_s)} (history kept at ${fmtDuration(s.resolution_s)} here)` +
  (s.note ? ` — ${s.note}` : "");

async function loadChart() {
  const c = state.chart, range = $("chart-range").value, kind = chartKind(), seq = (c.seq = (c.seq || 0) + 1);
  const ask = (q) => api("GET", `/api/v1/series?${kind.query}&${q}`);
  let r = await ask(`window=${range}`);
  // A history younger than the range: ask for the part it covers, at the finer step that allows.
  if (r.ok && r.json.step_s > r.json.resolution_s) {
    const first = kind.total(r.json).findIndex((v) => v != null);
    if (first > 0 && r.json.times.length - first < 100) {
      const again = await ask(`from=${Math.floor(r.json.times[first] - r.json.step_s)}&to=${Math.ceil(Date.now() / 1000)}`);
      if (again.ok) r = again;
    }
  }
  // Many CPUs over a long range pass the answer's limit (points x series, 422 too_many_points): ask
  // again with a step that keeps the points under it.
  if (r.status === 422 && r.json && r.json.error && r.json.error.code === "too_many_points") {
    // The CPU count from the stream, or (before its first sample) from the API.
    const cpus = state.live ? state.live.cpus.length : ((await api("GET", "/api/v1/cpus?window=1s")).json?.cpus?.length || 8192);
    const step = Math.ceil(rangeSeconds(range) * cpus * kind.perCpu / 190000);
    r = await ask(`window=${range}&step=${step}s`);
  }
  if (seq !== c.seq) return;   // the range or the selector changed meanwhile: a newer answer comes
  if (r.status === 404) { $("chart-section").hidden = true; return; }   // an irqd without the series endpoint
  $("chart-section").hidden = false;
  $("chart-unit").textContent = kind.title;
  $("chart-hover").innerHTML = "&nbsp;";
  if (!r.ok) { $("chart-info").textContent = errorText(r); return; }
  const s = r.json, total = kind.total(s);
  // Steps before the history began are null: the chart starts where the history does (the note says so).
  const first = Math.max(0, total.findIndex((v) => v != null));
  Object.assign(c, { series: s, kind, times: s.times.slice(first), rates: s.series.map((x) => kind.rates(x).slice(first)), total: total.slice(first),
    step: s.step_s, range: rangeSeconds(range), zoomed: false, bucket: null, live: 0, detail: null });
  $("chart-info").textContent = chartInfo(s);
  makeCharts();
  loadEvents();
}

async function loadEvents() {
  if (!state.chart.series) return;
  const r = await api("GET", `/api/v1/events?window=${$("chart-range").value}`);
  if (!r.ok) return;
  state.chart.events = r.json.events;
  showEvents();
}

function onEvent(e) {
  const events = state.chart.events;
  // The page may have fetched it already (GET /api/v1/events after its own apply).
  if (events.some((x) => x.time === e.time && x.type === e.type && x.summary === e.summary)) return;
  events.push(e);
  if (events.length > 1000) events.shift();
  showEvents();
  if (e.type === "plan_applied" || e.type === "revert") refreshHistory();
}

function showEvents() {
  const events = state.chart.events;
  $("chart-events").replaceChildren(...events.slice(-50).reverse().map((e) => {
    const li = document.createElement("li");
    li.textContent = `${clockTime(e.time)} ${e.summary}` + (e.source && !e.summary.includes(`(${e.source})`) ? ` (${e.source})` : "");
    li.style.borderLeft = `3px solid ${eventColor[e.type] || "#6b7177"}`;
    return li;
  }));
  state.chart.plots.forEach((p) => p.redraw(false));
}

// Live samples extend the charts in the series' own steps (step k ends at k x step since the epoch,
// as GET /api/v1/series counts them): a sample in the last step shown updates that point with the
// average of the samples seen in it, a later one starts a new point; points older than the range drop off.
function chartLive(m) {
  const c = state.chart;
  if (!c.series || !c.plots.length || !m.cpus || !m.time) return;
  const t = Date.parse(m.time) / 1000, end = Math.ceil(t / c.step) * c.step;
  const last = c.times.length ? c.times[c.times.length - 1] : -Infinity;
  if (!(end >= last)) return;
  if (!c.bucket || c.bucket.end !== end) c.bucket = { end, n: 0, total: 0, sums: new Map() };
  const b = c.bucket;
  b.n++;
  for (const x of m.cpus) {
    const v = c.kind.live(x);
    if (v == null) continue;
    b.sums.set(x.cpu, (b.sums.get(x.cpu) || 0) + v);
    b.total += v;
  }
  const at = end === last ? c.times.length - 1 : c.times.length;
  c.times[at] = end;
  c.series.series.forEach((x, i) => { c.rates[i][at] = b.sums.has(x.cpu) ? b.sums.get(x.cpu) / b.n : null; });
  c.total[at] = b.sums.size ? b.total / b.n : null;
  while (c.times.length > 1 && c.times[0] < end - c.range) {
    c.times.shift();
    c.rates.forEach((r) => r.shift());
    c.total.shift();
  }
  c.live++;
  if (!c.zoomed) showChartData(c.times, c.rates, c.total);
}

let live = null;
async function load() {
  const index = await api("GET", "/api/v1");
  if (!index.ok) {
    $("conn").textContent = index.status === 401 ? "needs the token" : errorText(index);
    return;
  }
  $("version").textContent = "v" + index.json.version;
  // The balance panel only where this daemon has the balancer.
  const balancer = index.json.endpoints.some((e) => e.startsWith("POST /api/v1/balance"));
  $("balance-section").hidden = !balancer;
  if (!live) {
    live = stream(() => ({ type: "subscribe", cpus: true, top: Number($("heat-top").value) }), onSample, (up, needsToken) => {
      // A browser's WebSocket cannot send an Authorization header: with --token-required-for-reads the
      // stream refuses the page (docs/security.md).
      $("conn").textContent = up ? "live" : needsToken ? "no live stream: irqd needs the token for reads" : "reconnecting";
      $("conn").className = "badge " + (up ? "on" : "off");
    }, onEvent);
  }
  refreshWindow();
  loadDevices();
  loadChart();
  fitRangesToHistory();
  if (balancer) refreshHistory();
}

function start() {
  $("heat-top").onchange = () => { if (live) live.resubscribe(); };
  $("heat-sort").onchange = drawHeat;
  $("heat-filter").oninput = drawHeat;
  $("window").onchange = refreshWindow;
  $("chart-range").onchange = loadChart;
  $("chart-what").onchange = loadChart;
  $("chart-stacked").onchange = () => { if (state.chart.series) makeCharts(); };
  $("chart-cpus").ondblclick = $("chart-total").ondblclick = zoomOut;
  $("irq-go").onclick = () => select($("irq-input").value);
  $("irq-input").onkeydown = (e) => { if (e.key === "Enter") select($("irq-input").value); };
  $("affinity-form").onsubmit = setAffinity;
  $("balance-preview").onclick = () => balance(false);
  $("balance-apply").onclick = () => balance(true);
  $("balance-revert").onclick = revert;
  $("balance-prev").onclick = () => { state.movePage--; drawMoves(); };
  $("balance-next").onclick = () => { state.movePage++; drawMoves(); };
  $("token-bar").onsubmit = (e) => {
    e.preventDefault();
    token = $("token").value.trim();
    sessionStorage.setItem("irqd-token", token);
    $("token-bar").hidden = true;
    $("token-msg").textContent = "";
    load();
  };
  window.addEventListener("resize", () => {
    drawCpus();
    drawHeat();
    state.chart.plots.forEach((p) => p.setSize({ width: $("chart-cpus").clientWidth, height: p.height }));
  });
  load();
  setInterval(() => { if (live) refreshWindow(); }, 5000);
}

start();
