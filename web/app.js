// irqd dashboard. Live numbers come from two WebSocket subscriptions (the busiest IRQs with per-CPU
// rates; the selected IRQ), the window view from GET /api/v1/interrupts and /cpus. Everything big is
// drawn on canvases, so 256 CPUs x 4096 IRQs stays a few hundred DOM nodes.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  overloaded: [],        // CPUs overloaded in the last sample: {cpu, reasons}
  samples: 0, live: null, windowCpus: new Map(), selected: null, selectedLive: null,
  heatRows: [], plan: null, planBody: null,
};
window.irqdDashboard = state;   // for the browser test and for poking around in devtools

const fmt = (v) => {
  if (v == null || !isFinite(v)) return "–";
  if (v >= 1e9) return (v / 1e9).toFixed(2) + "G";
  if (v >= 1e6) return (v / 1e6).toFixed(2) + "M";
  if (v >= 1e4) return (v / 1e3).toFixed(1) + "k";
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
};

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  const res = await fetch(path, init);
  let json = null;
  try { json = await res.json(); } catch (e) { json = null; }
  return { status: res.status, ok: res.ok, json };
}
const errorText = (r) => (r.json && r.json.error) ? r.json.error.code + ": " + r.json.error.message : "HTTP " + r.status;

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
function drawBars(canvas, cpus, values, ticks, height, color) {
  const { ctx, w, h } = fitCanvas(canvas, height);
  const n = cpus.length;
  if (!n) return;
  const max = Math.max(1, ...values, ...(ticks || []).filter((v) => v != null));
  const gap = n > 64 ? 0 : 1, left = 36, bottom = n <= 64 ? 14 : 4;
  const bw = (w - left) / n;
  ctx.fillStyle = "#6b7177";
  ctx.font = "10px system-ui, sans-serif";
  ctx.fillText(fmt(max), 2, 10);
  ctx.fillText("0", 2, h - bottom);
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
    if (n <= 64) { ctx.fillStyle = "#6b7177"; ctx.fillText(String(cpus[i]), x + 1, h - 2); }
  }
}

// White to deep blue on a log scale: rates span many orders of magnitude.
function heatColor(v, max) {
  if (!(v > 0)) return "#ffffff";
  const t = Math.min(1, Math.log10(1 + v) / Math.log10(1 + max));
  const r = Math.round(255 - t * 230), g = Math.round(255 - t * 170), b = Math.round(255 - t * 60);
  return `rgb(${r},${g},${b})`;
}

function drawHeat() {
  const m = state.live;
  const canvas = $("heat");
  if (!m || !m.irqs) return;
  const rows = m.irqs, cpus = m.irq_cpus || [];
  const rowH = rows.length > 64 ? 4 : 10, top = 4, left = 110;
  const { ctx, w } = fitCanvas(canvas, Math.max(60, top + rows.length * rowH + 4));
  const cw = (w - left) / Math.max(1, cpus.length);
  let max = 1;
  for (const r of rows) for (const v of r.rates) if (v > max) max = v;
  ctx.font = "10px system-ui, sans-serif";
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    if (rowH >= 10) { ctx.fillStyle = r.irq === state.selected ? "#2f6db5" : "#1d2125"; ctx.fillText((r.irq + " " + r.name).slice(0, 18), 2, y + 8); }
    for (let c = 0; c < cpus.length; c++) {
      ctx.fillStyle = heatColor(r.rates[c], max);
      ctx.fillRect(left + c * cw, y, Math.ceil(cw), rowH - (rowH >= 10 ? 1 : 0));
    }
  });
  state.heatRows = rows.map((r) => r.irq);
  canvas.onmousemove = (e) => {
    const rect = canvas.getBoundingClientRect();
    const i = Math.floor((e.clientY - rect.top - top) / rowH), c = Math.floor((e.clientX - rect.left - left) / cw);
    const tip = $("heat-tip");
    if (i < 0 || i >= rows.length || c < 0 || c >= cpus.length) { tip.hidden = true; return; }
    tip.hidden = false;
    tip.textContent = `IRQ ${rows[i].irq} ${rows[i].name} on CPU ${cpus[c]}: ${fmt(rows[i].rates[c])}/s`;
    tip.style.left = (e.clientX - rect.left + 12) + "px";
    tip.style.top = (canvas.offsetTop + e.clientY - rect.top + 12) + "px";
  };
  canvas.onmouseleave = () => { $("heat-tip").hidden = true; };
  canvas.onclick = (e) => {
    const rect = canvas.getBoundingClientRect();
    const i = Math.floor((e.clientY - rect.top - top) / rowH);
    if (i >= 0 && i < rows.length) select(rows[i].irq);
  };
}

function drawCpus() {
  const m = state.live;
  if (!m || !m.cpus) return;
  const cpus = m.cpus.map((c) => c.cpu), rates = m.cpus.map((c) => c.rate);
  const ticks = cpus.map((c) => state.windowCpus.has(c) ? state.windowCpus.get(c) : null);
  // Overloaded in the last sample: softnet drops or squeezes, or interrupt time past --overload-share.
  state.overloaded = m.cpus.filter((c) => c.overloaded).map((c) => ({ cpu: c.cpu, reasons: c.overload_reasons || [] }));
  const hot = new Set(state.overloaded.map((o) => o.cpu));
  drawBars($("cpu-bars"), cpus, rates, ticks, cpus.length > 64 ? 120 : 160, (i) => hot.has(cpus[i]) ? "#c62828" : "#2f6db5");
  let busiest = 0;
  rates.forEach((r, i) => { if (r > rates[busiest]) busiest = i; });
  const total = rates.reduce((a, b) => a + b, 0);
  $("cpu-summary").textContent = cpus.length
    ? `${cpus.length} CPUs · busiest CPU ${cpus[busiest]} at ${fmt(rates[busiest])}/s (${total ? (100 * rates[busiest] / total).toFixed(1) : 0}% of all)`
    : "";
  const why = { drops: "dropping packets", time_squeezed: "NET_RX out of budget", interrupt_time: "busy in interrupts" };
  $("cpu-overload").textContent = state.overloaded.length
    ? "Overloaded: " + state.overloaded.slice(0, 8).map((o) => `CPU ${o.cpu} (${o.reasons.map((r) => why[r] || r).join(", ")})`).join("; ") +
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
function stream(subscription, onMessage, onState) {
  let ws = null, delay = 500, closed = false;
  const open = () => {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/stream";
    ws = new WebSocket(url);
    ws.onopen = () => { delay = 500; ws.send(JSON.stringify(subscription())); if (onState) onState(true); };
    ws.onmessage = (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m.type === "snapshot" || m.type === "sample") onMessage(m);
    };
    ws.onclose = () => {
      if (onState) onState(false);
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

function drawPlan(plan) {
  const loads = plan.cpu_loads || [];
  const canvas = $("balance-bars");
  canvas.hidden = loads.length === 0;
  if (loads.length) drawBars(canvas, loads.map((l) => l.cpu), loads.map((l) => l.after), loads.map((l) => l.before), 120, "#22793a");
  const body = $("balance-moves").tBodies[0];
  const moves = (plan.moves || []).slice(0, 100);
  $("balance-moves").hidden = moves.length === 0;
  body.replaceChildren(...moves.map((m) => {
    const tr = document.createElement("tr");
    [m.irq, m.name, String(m.load), m.from ?? "–", String(m.to)].forEach((t, i) => {
      const td = document.createElement("td");
      td.textContent = t;
      if (i === 2) td.className = "num";
      tr.appendChild(td);
    });
    tr.onclick = () => select(m.irq);
    return tr;
  }));
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

async function start() {
  const index = await api("GET", "/api/v1");
  if (index.ok) {
    $("version").textContent = "v" + index.json.version;
    // The balance panel only where this daemon has the balancer.
    if (index.json.endpoints.some((e) => e.startsWith("POST /api/v1/balance"))) $("balance-section").hidden = false;
  }
  const live = stream(() => ({ type: "subscribe", cpus: true, top: Number($("heat-top").value) }), onSample, (up) => {
    $("conn").textContent = up ? "live" : "reconnecting";
    $("conn").className = "badge " + (up ? "on" : "off");
  });
  $("heat-top").onchange = () => live.resubscribe();
  $("window").onchange = refreshWindow;
  $("irq-go").onclick = () => select($("irq-input").value);
  $("irq-input").onkeydown = (e) => { if (e.key === "Enter") select($("irq-input").value); };
  $("affinity-form").onsubmit = setAffinity;
  $("balance-preview").onclick = () => balance(false);
  $("balance-apply").onclick = () => balance(true);
  window.addEventListener("resize", () => { drawCpus(); drawHeat(); });
  refreshWindow();
  setInterval(refreshWindow, 5000);
}

start();
