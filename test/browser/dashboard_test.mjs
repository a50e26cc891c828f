// Browser test of the dashboard: headless Debian chromium (via playwright-core) against irqd --simulate.
// 2 CPUs: the page loads with no console errors, its live numbers change between samples, setting an
// IRQ's affinity in the page moves that IRQ's simulated rate, a CPU given every queue is shown
// overloaded with its reasons and its NET_RX and drops show on the history chart, the heat map's CPU
// axis lines up with the bars and sorted by device groups each NIC's queues in queue order, the
// history chart draws. 64 CPUs with every queue piled on CPUs 0-2 (issue 17's "done when", from the
// page alone): the hot CPUs are marked, clicking a CPU bar lists exactly that CPU's IRQs, the balance
// preview pages its moves, shows per-CPU numbers and says its NUMA node keeps eth0 on CPUs 0-31, applying it drops CPU 0 on the chart with the plan
// as an annotation there, the drops chart goes to 0 after it, apply and revert land in the plan
// history. With --token-file: a change's 401 brings up the token field, and the token works.
// Everything runs against the real daemon: no answer is stubbed.
// Usage: node dashboard_test.mjs IRQD_BINARY OUT_DIR   (writes OUT_DIR/dashboard-*.png)
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const [irqdBinary, outDir] = process.argv.slice(2);
const browserPath = process.env.IRQD_CHROMIUM || "/usr/bin/chromium";
const failures = [];
const check = (ok, what) => { console.log(`${ok ? "ok" : "FAILED"}: ${what}`); if (!ok) failures.push(what); };
const tmp = mkdtempSync(path.join(os.tmpdir(), "irqd-browser-"));
const daemons = [];
// Out of time (our guard, or ctest's timeout sending SIGTERM): the daemons this test started stop too.
const abandon = (why) => {
  console.error(why);
  for (const d of daemons) d.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
};
const guard = setTimeout(() => abandon("browser test took over 150 s"), 150_000);
process.on("SIGTERM", () => abandon("browser test stopped (SIGTERM)"));
process.on("SIGINT", () => abandon("browser test stopped (SIGINT)"));

async function startIrqd(args) {
  const irqd = spawn(irqdBinary, ["--listen", "127.0.0.1:0", "--interval", "250ms", "--history", "1s:1h", ...args],
    { stdio: ["ignore", "pipe", "inherit"] });
  daemons.push(irqd);
  const [firstLine] = await once(createInterface({ input: irqd.stdout }), "line");
  console.log(`irqd: ${firstLine}`);
  return firstLine.match(/http:\/\/[^ /]+/)[0] + "/";
}

// A 64-CPU machine: 96 NIC queues (IRQs 32-127) each firing on one of CPUs 0-2 only (the simulated
// affinity is where a row counts), and the per-CPU timer on every CPU.
function pile64() {
  const cpus = 64, lines = [" ".repeat(11) + Array.from({ length: cpus }, (_, c) => `CPU${c}`.padEnd(11)).join("").trimEnd()];
  const expected = new Map([[0, []], [1, []], [2, []]]);
  for (let q = 0; q < 96; q++) {
    const irq = 32 + q, on = q % 3;
    expected.get(on).push(String(irq));
    const counts = Array.from({ length: cpus }, (_, c) => (c === on ? 1500000000 + q * 1000000 : 0));
    lines.push(`${String(irq).padStart(4)}: ${counts.map((v) => String(v).padStart(10)).join(" ")}  IR-PCI-MSI ${524288 + q}-edge      eth0-TxRx-${q}`);
  }
  lines.push(` LOC: ${Array.from({ length: cpus }, () => "  86400000").join(" ")}  Local timer interrupts`);
  const file = path.join(tmp, "pile64.txt");
  writeFileSync(file, lines.join("\n") + "\n");
  return { file, expected };
}

// A screenshot of one section, cut from the full page scrolled to the top (an element screenshot
// scrolls it under the sticky header).
async function shoot(page, selector, file) {
  const box = await page.evaluate((sel) => {
    window.scrollTo(0, 0);
    const r = document.querySelector(sel).getBoundingClientRect();
    return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
  }, selector);
  await page.screenshot({ path: path.join(outDir, file), fullPage: true, clip: box });
}

// The whole page, scrolled to the top first so the sticky header is drawn at the top, not over a section.
async function shootPage(page, file) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(outDir, file), fullPage: true });
}

async function openPage(browser, url, consoleErrors, viewport = { width: 1280, height: 1100 }) {
  const page = await browser.newPage({ viewport });
  page.on("console", (m) => { if (m.type() === "error" && !/status of (401|422) /.test(m.text())) consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  return page;
}

// Sorted by device, the heat map groups each device's IRQs (its netdev, else its PCI address, as
// GET /api/v1/interrupts gives them) under a labelled band, queues in queue order, busiest device first,
// the IRQs without a device last.
async function checkHeatByDevice(page) {
  await page.selectOption("#heat-sort", "device");
  await page.waitForFunction(() => window.irqdDashboard.heatGroups.some((g) => g.key));
  const devices = await page.evaluate(async () =>
    Object.fromEntries((await (await fetch("/api/v1/interrupts?window=1s&cpus=0")).json()).irqs.map((x) => [x.irq, x.device])));
  const { groups, rows, rates } = await page.evaluate(() => ({ groups: window.irqdDashboard.heatGroups, rows: window.irqdDashboard.heatRows,
    rates: Object.fromEntries(window.irqdDashboard.live.irqs.map((x) => [x.irq, x.rate])) }));
  const keyOf = (d) => (d ? (d.netdevs && d.netdevs.length ? d.netdevs.join(",") : d.pci) : null);
  const problems = [];
  if (String(groups.flatMap((g) => g.irqs)) !== String(rows)) problems.push("the groups are not the rows in order");
  groups.forEach((g, i) => {
    const load = g.irqs.reduce((a, irq) => a + rates[irq], 0);
    if (g.key === null) { if (i !== groups.length - 1) problems.push("IRQs without a device are not last"); return; }
    const wrong = g.irqs.filter((irq) => keyOf(devices[irq]) !== g.key);
    if (wrong.length) problems.push(`${g.key}: ${wrong} belong elsewhere`);
    const queues = g.irqs.map((irq) => devices[irq].queue ?? Infinity);
    if (queues.some((q, k) => k > 0 && q < queues[k - 1])) problems.push(`${g.key}: queues out of order ${queues}`);
    const next = groups[i + 1];
    if (next && next.key !== null && next.irqs.reduce((a, irq) => a + rates[irq], 0) > load) problems.push(`${g.key} is lighter than ${next.key}`);
  });
  if (new Set(groups.map((g) => g.key)).size !== groups.length) problems.push("a device appears twice");
  const keyed = groups.filter((g) => g.key);
  check(keyed.length >= 2 && problems.length === 0, `heat map by device: ${groups.map((g) => `${g.key ?? "no device"} (${g.irqs.length})`).join(", ")}` +
    (problems.length ? ` — ${problems.join("; ")}` : ""));
  await shoot(page, "#heat-section", "dashboard-2cpu-heat-device.png");
  await page.selectOption("#heat-sort", "load");
}

// The heat map's columns sit under the bars, and both label their CPUs.
async function checkAxes(page, cpuCount) {
  const { bar, heat } = await page.evaluate(() => ({ bar: window.irqdDashboard.barAxis, heat: window.irqdDashboard.heatAxis }));
  check(bar && heat && bar.left === heat.left && Math.abs(bar.width - heat.width) < 0.01,
    `heat map columns under the CPU bars (left ${bar?.left}/${heat?.left}, width ${bar?.width?.toFixed(2)}/${heat?.width?.toFixed(2)})`);
  check(heat.labels.length >= Math.min(cpuCount, 16) && heat.labels[0] === 0 && String(heat.labels) === String(bar.labels),
    `CPU axis labels on both: ${heat.labels.length} labels (${heat.labels.slice(0, 6).join(",")}…)`);
}

async function checkChart(page, cpuCount) {
  await page.waitForSelector("#chart-section:not([hidden])");
  await page.waitForFunction(() => window.irqdDashboard.chart.plots.length === 2);
  const c = await page.evaluate(() => ({ n: window.irqdDashboard.chart.series.series.length, info: document.getElementById("chart-info").textContent,
    legend: [...document.querySelectorAll("#chart-cpus .u-legend .u-label")].map((e) => e.textContent) }));
  check(c.n === cpuCount && /a point per/.test(c.info), `history chart: ${c.n} CPU series, "${c.info}"`);
  // --history 1s:1h: the picker offers 5 min to 1 h.
  await page.waitForFunction(() => document.getElementById("chart-range").title !== "");
  const ranges = await page.evaluate(() => [...document.getElementById("chart-range").options].filter((o) => !o.disabled).map((o) => o.value));
  check(String(ranges) === "5m,15m,1h", `time picker as far as the history reaches: ${ranges}`);
  if (cpuCount <= 16) check(c.legend.includes("CPU 0") && c.legend.includes(`CPU ${cpuCount - 1}`), `chart legend: ${c.legend.join(", ")}`);
  await page.waitForFunction(() => window.irqdDashboard.chart.live >= 1, null, { timeout: 10_000 });
  check(true, "the chart takes live samples from the stream");
  if (cpuCount === 2) {   // stacked: CPU 1's line is the sum of both
    await page.check("#chart-stacked");
    const st = await page.evaluate(() => {
      const c = window.irqdDashboard.chart, d = c.plots[0].data, i = d[0].length - 1;
      return { top: d[2][i], sum: (c.shown.rates[0][i] ?? 0) + (c.shown.rates[1][i] ?? 0) };
    });
    check(st.sum > 0 && Math.abs(st.top - st.sum) < 1e-6 * st.sum, `stacked: the top line is the sum (${Math.round(st.top)} = ${Math.round(st.sum)})`);
    await shootPage(page, "dashboard-2cpu-stacked.png");
    await page.uncheck("#chart-stacked");
  }
  // Drag across the middle of the CPU chart: both charts zoom in; a double-click zooms out. (A daemon
  // just started has a few seconds of history: wait for 8 points to zoom into.)
  await page.waitForFunction(() => window.irqdDashboard.chart.times.length >= 8, null, { timeout: 15_000 });
  await page.locator("#chart-cpus .u-over").scrollIntoViewIfNeeded();
  const over = await page.locator("#chart-cpus .u-over").boundingBox();
  await page.mouse.move(over.x + over.width * 0.3, over.y + over.height / 2);
  await page.mouse.down();
  await page.mouse.move(over.x + over.width * 0.6, over.y + over.height / 2, { steps: 5 });
  await page.mouse.up();
  const zoom = await page.evaluate(() => {
    const [a, b] = window.irqdDashboard.chart.plots;
    return { zoomed: window.irqdDashboard.chart.zoomed, same: a.scales.x.min === b.scales.x.min && a.scales.x.max === b.scales.x.max };
  });
  // A sample comes while zoomed (the chart does not take it); the double-click goes back to the live
  // data with it, and the chart follows the stream again.
  const seen = await page.evaluate(() => window.irqdDashboard.chart.times.at(-1));
  await page.waitForFunction((t) => window.irqdDashboard.chart.times.at(-1) > t, seen, { timeout: 15_000 });
  await page.mouse.dblclick(over.x + over.width / 2, over.y + over.height / 2);
  const unzoomed = await page.evaluate(() => {
    const c = window.irqdDashboard.chart;
    return !c.zoomed && !c.detail && c.plots[0].data[0].at(-1) === c.times.at(-1);
  });
  check(zoom.zoomed && zoom.same && unzoomed, `drag zooms both charts (${JSON.stringify(zoom)}), double-click zooms out to the live data (${unzoomed})`);
}

async function twoCpus(browser) {
  const url = await startIrqd(["--simulate"]);
  const consoleErrors = [];
  const page = await openPage(browser, url, consoleErrors);
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("conn").textContent === "live");
  await page.waitForFunction(() => window.irqdDashboard.samples >= 2);
  const read = () => page.evaluate(() => ({
    count: Number(document.getElementById("sample-count").textContent),
    time: document.getElementById("sample-time").textContent,
    total: document.getElementById("total-rate").textContent,
    cpuRates: window.irqdDashboard.live.cpus.map((c) => c.rate),
    heatRows: window.irqdDashboard.heatRows.length,
  }));
  const before = await read();
  // Five samples of 250 ms: more than a second, so the clock shown (to the second) must move too.
  await page.waitForFunction((n) => window.irqdDashboard.samples >= n, before.count + 5);
  const after = await read();
  check(after.count >= before.count + 5 && after.time !== before.time, `sample counter and time move (${before.time} -> ${after.time})`);
  check(after.total !== before.total || after.cpuRates.some((r, i) => r !== before.cpuRates[i]),
    `live rates change between samples (${before.total}/s -> ${after.total}/s)`);
  check(before.cpuRates.length === 2 && after.heatRows > 0, `${before.cpuRates.length} CPU bars and ${after.heatRows} heat map rows drawn`);
  await checkAxes(page, 2);
  // The filter box keeps matching rows only.
  await page.fill("#heat-filter", "eth0-TxRx-1");
  const filtered = await page.evaluate(() => window.irqdDashboard.heatRows.length);
  check(filtered > 0 && filtered < after.heatRows, `filter "eth0-TxRx-1": ${filtered} of ${after.heatRows} rows`);
  await page.fill("#heat-filter", "");
  await checkHeatByDevice(page);
  await checkChart(page, 2);
  // The window view lists the busiest IRQs over the selected window.
  await page.selectOption("#window", "10s");
  await page.waitForFunction(() => document.querySelectorAll("#window-table tbody tr").length > 0);
  check(true, "window table filled for 10 s");
  // Pick the busiest IRQ and move it wholly to the CPU that serves less of it.
  const { irq, cpus, rates } = await page.evaluate(() => {
    const m = window.irqdDashboard.live;
    return { irq: m.irqs[0].irq, cpus: m.irq_cpus, rates: m.irqs[0].rates };
  });
  const target = cpus[rates.indexOf(Math.min(...rates))];
  await page.fill("#irq-input", irq);
  await page.press("#irq-input", "Enter");
  await page.waitForSelector("#irq-detail:not([hidden])");
  await page.fill("#affinity-cpus", String(target));
  await page.click("#affinity-set");
  await page.waitForFunction(() => /^(set|already)/.test(document.getElementById("affinity-result").textContent));
  check(true, `PUT affinity of IRQ ${irq} to CPU ${target}: ${await page.textContent("#affinity-result")}`);
  // Two samples later every interrupt of that IRQ lands on the target CPU, and the page shows it.
  await page.waitForFunction(({ target }) => {
    const live = window.irqdDashboard.selectedLive;
    if (!live) return false;
    return live.cpus.every((c, i) => (c === target ? live.rates[i] > 0 : live.rates[i] === 0));
  }, { target }, { timeout: 15_000 });
  const shown = await page.textContent("#irq-live-cpus");
  check(shown.startsWith(`CPU${target} `) && !shown.includes(","), `IRQ ${irq} now fires only on CPU ${target}: "${shown}"`);
  await page.waitForFunction((t) => document.getElementById("irq-fact-affinity")?.textContent === String(t), target);
  check(true, "detail shows the new affinity");
  // Every queue on CPU 0: past the simulated capacity it drops packets, and the page says so in red.
  const piled = await page.evaluate(async () => {
    const changes = [];
    for (let irq = 132; irq <= 196; irq++) changes.push({ irq, cpu: 0 });
    const r = await fetch("/api/v1/affinity", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ changes }) });
    return r.status;
  });
  check(piled === 200, `all queues set to CPU 0 (${piled})`);
  await page.waitForFunction(() => window.irqdDashboard.overloaded.some((o) => o.cpu === 0 && o.reasons.includes("drops")),
    null, { timeout: 15_000 });
  const overload = await page.textContent("#cpu-overload");
  check(overload.startsWith("Overloaded: CPU 0 (") && overload.includes("dropping packets"), `overload line: "${overload}"`);
  // The history chart shows it too: NET_RX on CPU 0 alone now, and CPU 0 dropping packets.
  await page.selectOption("#chart-what", "net_rx");
  await page.waitForFunction(() => {
    const c = window.irqdDashboard.chart, last = (r) => r[r.length - 1];
    return c.kind.unit === "NET_RX/s" && c.live >= 2 && last(c.rates[0]) > 0 && last(c.rates[1]) === 0;
  }, null, { timeout: 15_000 });
  const rx = await page.evaluate(() => ({ axis: window.irqdDashboard.chart.plots[0].axes[1].label, info: document.getElementById("chart-info").textContent }));
  check(rx.axis === "NET_RX/s", `NET_RX chart ("${rx.axis}", ${rx.info}): CPU 0 takes every NET_RX now, CPU 1 none`);
  await page.selectOption("#chart-what", "dropped");
  await page.waitForFunction(() => {
    const c = window.irqdDashboard.chart, r = c.rates[0];
    return c.kind.unit === "drops/s" && c.live >= 2 && r[r.length - 1] > 0;
  }, null, { timeout: 15_000 });
  check(true, "drops chart: CPU 0 drops packets now");
  await shoot(page, "#chart-section", "dashboard-2cpu-drops.png");
  await page.selectOption("#chart-what", "cpus");
  if (await page.isVisible("#balance-section")) {
    await page.click("#balance-preview");
    await page.waitForFunction(() => !/planning/.test(document.getElementById("balance-result").textContent) &&
      document.getElementById("balance-result").textContent !== "", null, { timeout: 20_000 });
    const text = await page.textContent("#balance-result");
    check(!(await page.getAttribute("#balance-result", "class") || "").includes("error"), `balance preview: ${text}`);
    // One NUMA node: nothing is kept node-local, so no line says so.
    const numa = await page.textContent("#balance-numa");
    check(numa === "", `2 CPUs, one node: no NUMA line under the plan${numa ? ` (got "${numa}")` : ""}`);
  }
  await shootPage(page, "dashboard-2cpu.png");
  check(consoleErrors.length === 0, `2 CPUs: no console errors${consoleErrors.length ? ": " + consoleErrors.join(" | ") : ""}`);
  await page.close();
}

async function sixtyFourCpus(browser) {
  const { file, expected } = pile64();
  const url = await startIrqd(["--simulate", file]);
  const consoleErrors = [];
  const page = await openPage(browser, url, consoleErrors, { width: 1400, height: 1100 });
  await page.goto(url);
  await page.waitForFunction(() => window.irqdDashboard.samples >= 2 && window.irqdDashboard.live.cpus.length === 64);
  const rows = await page.evaluate(() => ({ movable: window.irqdDashboard.heatRows, fixed: window.irqdDashboard.heatFixed }));
  check(String(rows.fixed) === "LOC" && rows.movable.every((id) => /^\d+$/.test(id)),
    `64 CPU bars; heat map: ${rows.movable.length} IRQ rows, then set apart: ${rows.fixed}`);
  await checkAxes(page, 64);
  await checkChart(page, 64);
  // The hot CPUs: marked overloaded, and only among the three that carry the queues.
  await page.waitForFunction(() => window.irqdDashboard.overloaded.length > 0, null, { timeout: 15_000 });
  const hot = await page.evaluate(() => window.irqdDashboard.overloaded.map((o) => o.cpu));
  check(hot.every((c) => c <= 2), `overloaded CPUs ${hot}: "${await page.textContent("#cpu-overload")}"`);
  // Click the bar of CPU 1: the list is the 32 queues piled on it (and the timer, which fires everywhere).
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.locator("#cpu-bars").boundingBox();
  const bar = await page.evaluate(() => window.irqdDashboard.barAxis);
  await page.mouse.click(box.x + bar.left + 1.5 * bar.width, box.y + box.height / 2);
  await page.waitForFunction(() => window.irqdDashboard.drillShown === 1);
  const drill = await page.evaluate(() => window.irqdDashboard.drill);
  const numbered = drill.filter((id) => /^\d+$/.test(id)).sort((a, b) => a - b);
  check(String(numbered) === String(expected.get(1)), `CPU 1 drill-down lists its ${expected.get(1).length} queues (${numbered.length}: ${numbered.slice(0, 4).join(",")}…) and ${drill.filter((id) => !/^\d+$/.test(id)).join(",") || "no other row"}`);
  const title = await page.textContent("#cpu-drill-title");
  check(/^CPU 1: .* interrupts\/s .*overloaded/.test(title), `drill-down title: "${title}"`);
  // The CPU numbers over the heat map do the same: CPU 2's column.
  // (Clicked from inside the page: lines above the heat map change height with the overload reasons,
  // so a position measured first could be a row by the time the mouse clicks.)
  await page.evaluate(() => {
    const canvas = document.getElementById("heat"), r = canvas.getBoundingClientRect(), a = window.irqdDashboard.heatAxis;
    canvas.dispatchEvent(new MouseEvent("click", { clientX: r.left + a.left + 2.5 * a.width, clientY: r.top + 8, bubbles: true }));
  });
  await page.waitForFunction(() => window.irqdDashboard.drillShown === 2);
  const drill2 = (await page.evaluate(() => window.irqdDashboard.drill)).filter((id) => /^\d+$/.test(id)).sort((a, b) => a - b);
  check(String(drill2) === String(expected.get(2)), `clicking CPU 2 over the heat map lists its ${drill2.length} queues`);
  // The heat map sorted by busiest CPU puts CPU 0's queues first.
  await page.selectOption("#heat-sort", "cpu");
  const firstRows = await page.evaluate(() => window.irqdDashboard.heatRows.slice(0, 3));
  check(firstRows.every((id) => expected.get(0).includes(id)), `sorted by CPU, the first rows are CPU 0's: ${firstRows}`);
  await page.click("#balance-preview");
  await page.waitForFunction(() => /moves/.test(document.getElementById("balance-result").textContent), null, { timeout: 30_000 });
  const preview = await page.evaluate(() => ({
    result: document.getElementById("balance-result").textContent,
    pageInfo: document.getElementById("balance-page-info").textContent,
    cpuRows: document.querySelectorAll("#balance-cpus tbody tr").length,
    moves: window.irqdDashboard.plan.moves.length,
  }));
  // Why CPUs 32-63 get nothing: eth0 is on node 0 (the simulator's first NIC), and the plan says so.
  const numa = await page.textContent("#balance-numa");
  const moveTargets = await page.evaluate(() => window.irqdDashboard.plan.moves.map((m) => m.to));
  check(numa === "eth0 is on NUMA node 0: its 96 IRQs stay on CPUs 0–31 (node-local)" && moveTargets.every((to) => to < 32),
    `64 CPUs: the plan says why it uses CPUs 0-31 only: "${numa}"`);
  check(preview.cpuRows === 64 && new RegExp(`^showing 1–${Math.min(100, preview.moves)} of ${preview.moves} moves$`).test(preview.pageInfo),
    `preview "${preview.result}": ${preview.cpuRows} per-CPU rows, "${preview.pageInfo}"`);
  await shootPage(page, "dashboard-64cpu-preview.png");
  const lastOf = () => page.evaluate(() => { const c = window.irqdDashboard.chart, r = c.rates[0]; return { cpu0: r[r.length - 1], live: c.live }; });
  const beforeApply = await lastOf();
  await page.click("#balance-apply");
  await page.waitForFunction(() => /^applied/.test(document.getElementById("balance-result").textContent), null, { timeout: 30_000 });
  // The drop shows on the chart: new points from the stream put CPU 0 at a fraction of its rate.
  await page.waitForFunction((was) => { const c = window.irqdDashboard.chart, r = c.rates[0]; return c.live > was.live && r[r.length - 1] < was.cpu0 / 4; },
    beforeApply, { timeout: 15_000 });
  const afterApply = await lastOf();
  check(true, `the chart shows CPU 0 drop from ${Math.round(beforeApply.cpu0)}/s to ${Math.round(afterApply.cpu0)}/s`);
  await page.waitForFunction(() => [...document.querySelectorAll("#balance-history tbody tr")].some((tr) => /^plan/.test(tr.cells[2].textContent)));
  check(true, `applied: ${await page.textContent("#balance-result")}; in the plan history`);
  // The plan is a dashed line on the chart, where CPU 0 drops: before it CPU 0 was high, now it is low.
  await page.waitForFunction(() => window.irqdDashboard.chart.events.some((e) => e.type === "plan_applied") &&
    window.irqdDashboard.chart.drawnEvents >= 1, null, { timeout: 10_000 });
  const mark = await page.evaluate(() => {
    const c = window.irqdDashboard.chart, u = c.plots[0], e = c.events.find((x) => x.type === "plan_applied"), t = Date.parse(e.time) / 1000;
    const r = c.rates[0];
    return { summary: e.summary, inView: t >= u.scales.x.min && t <= u.scales.x.max, now: r[r.length - 1] };
  });
  // Before it: the chart's last point when apply was clicked (a young history's coarse steps around
  // the line can be empty, so the point just left of it is not always a rate).
  check(mark.inView && beforeApply.cpu0 > 4 * mark.now, `the applied plan is an annotation on the chart ("${mark.summary}"), ` +
    `CPU 0 at ${Math.round(beforeApply.cpu0)}/s when apply was clicked and ${Math.round(mark.now)}/s now`);
  await shootPage(page, "dashboard-64cpu-applied.png");
  await shoot(page, "#chart-section", "dashboard-64cpu-chart.png");
  // The drops chart: the piled CPUs dropped packets before the plan, and drop none after it.
  await page.selectOption("#chart-what", "dropped");
  await page.waitForFunction(() => window.irqdDashboard.chart.kind.unit === "drops/s" && window.irqdDashboard.chart.drawnEvents >= 1);
  await page.waitForFunction(() => {
    const c = window.irqdDashboard.chart, t = Date.parse(c.events.find((x) => x.type === "plan_applied").time) / 1000;
    return c.total.some((v, i) => c.times[i] < t && v > 0) && c.total[c.total.length - 1] === 0 && c.live >= 2;
  }, null, { timeout: 15_000 });
  const drops = await page.evaluate(() => {
    const c = window.irqdDashboard.chart;
    return { peak: Math.max(...c.total.filter((v) => v != null)), axis: c.plots[0].axes[1].label, cpus: c.series.series.length };
  });
  check(drops.axis === "drops/s" && drops.cpus === 64,
    `drops chart (${drops.cpus} CPUs, "${drops.axis}"): up to ${Math.round(drops.peak)}/s before the plan, 0 after it`);
  await shoot(page, "#chart-section", "dashboard-64cpu-drops.png");
  await page.selectOption("#chart-what", "cpus");
  await page.click("#balance-revert");
  await page.waitForFunction(() => /^reverted plan/.test(document.getElementById("balance-result").textContent), null, { timeout: 30_000 });
  await page.waitForFunction(() => [...document.querySelectorAll("#balance-history tbody tr")].some((tr) => /^revert of/.test(tr.cells[2].textContent)));
  check(true, `revert button: ${await page.textContent("#balance-result")}; in the plan history`);
  check(consoleErrors.length === 0, `64 CPUs: no console errors${consoleErrors.length ? ": " + consoleErrors.join(" | ") : ""}`);
  await page.close();
}

// With --token-file reads are open and changes need the token: the preview's 401 brings up the token
// field; a wrong token is refused, the right one is kept for the tab and sent with every request.
async function withToken(browser) {
  const tokenFile = path.join(tmp, "token");
  writeFileSync(tokenFile, "browser-test-token-0123456789\n", { mode: 0o600 });
  const url = await startIrqd(["--simulate", "--token-file", tokenFile]);
  const consoleErrors = [];
  const page = await openPage(browser, url, consoleErrors);
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("conn").textContent === "live");
  check(await page.isHidden("#token-bar"), "no token field while nothing asked for one");
  const preview = async () => {
    await page.click("#balance-preview");
    await page.waitForFunction(() => !/planning/.test(document.getElementById("balance-result").textContent), null, { timeout: 20_000 });
    return page.textContent("#balance-result");
  };
  const refused = await preview();
  await page.waitForSelector("#token-bar:not([hidden])");
  check(/^unauthorized/.test(refused) && /unauthorized/.test(await page.textContent("#token-msg")), `401: the token field shows: "${await page.textContent("#token-msg")}"`);
  await page.screenshot({ path: path.join(outDir, "dashboard-token-asked.png") });
  await page.fill("#token", "wrong-token-0123456789");
  await page.click("#token-bar button");
  check(/does not match/.test(await preview()) && await page.isVisible("#token-bar"), "a wrong token: refused, the field comes back saying it does not match");
  await page.fill("#token", "browser-test-token-0123456789");
  await page.click("#token-bar button");
  const planned = await preview();
  check(/moves/.test(planned) && await page.isHidden("#token-bar"), `the right token: "${planned}", the field goes away`);
  await page.reload();
  await page.waitForFunction(() => document.getElementById("conn").textContent === "live");
  check(await page.evaluate(() => sessionStorage.getItem("irqd-token")) === "browser-test-token-0123456789" && /moves/.test(await preview()) &&
    await page.isHidden("#token-bar"), "after a reload the token comes from sessionStorage and still works");
  await shootPage(page, "dashboard-token.png");
  check(consoleErrors.length === 0, `token: no console errors (401s aside)${consoleErrors.length ? ": " + consoleErrors.join(" | ") : ""}`);
  await page.close();
}

const browser = await chromium.launch({ executablePath: browserPath, args: ["--no-sandbox", "--disable-gpu"] });
try {
  for (const [name, run] of [["2 CPUs", twoCpus], ["64 CPUs", sixtyFourCpus], ["token", withToken]]) {
    console.log(`--- ${name}`);
    try { await run(browser); } catch (e) { failures.push(`${name}: ${e}`); console.error(e); }
  }
  console.log(`screenshots: ${outDir}/dashboard-*.png`);
} finally {
  await browser.close();
  for (const d of daemons) d.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
  clearTimeout(guard);
}
process.exit(failures.length ? 1 : 0);
