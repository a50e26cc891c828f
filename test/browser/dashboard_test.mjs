// Browser test of the dashboard: headless Debian chromium (via playwright-core) against irqd --simulate.
// The page loads with no console errors, its live numbers change between samples, setting an IRQ's
// affinity in the page moves that IRQ's simulated rate, the balance preview answers where it exists, and
// a CPU given every queue is shown overloaded, with its reasons.
// Usage: node dashboard_test.mjs IRQD_BINARY OUT_DIR   (writes OUT_DIR/dashboard.png)
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import path from "node:path";

const [irqdBinary, outDir] = process.argv.slice(2);
const browserPath = process.env.IRQD_CHROMIUM || "/usr/bin/chromium";
const failures = [];
const check = (ok, what) => { console.log(`${ok ? "ok" : "FAILED"}: ${what}`); if (!ok) failures.push(what); };
const guard = setTimeout(() => { console.error("browser test took over 90 s"); process.exit(1); }, 90_000);

const irqd = spawn(irqdBinary, ["--simulate", "--listen", "127.0.0.1:0", "--interval", "250ms", "--history", "1s:1h"],
  { stdio: ["ignore", "pipe", "inherit"] });
const [firstLine] = await once(createInterface({ input: irqd.stdout }), "line");
const url = firstLine.match(/http:\/\/[^ /]+/)[0] + "/";
console.log(`irqd: ${firstLine}`);

const browser = await chromium.launch({ executablePath: browserPath, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

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
  check(before.cpuRates.length >= 2 && after.heatRows > 0, `${before.cpuRates.length} CPU bars and ${after.heatRows} heat map rows drawn`);

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

  if (await page.isVisible("#balance-section")) {
    await page.click("#balance-preview");
    await page.waitForFunction(() => /moves|error|:/.test(document.getElementById("balance-result").textContent) &&
      !/planning/.test(document.getElementById("balance-result").textContent), null, { timeout: 20_000 });
    const text = await page.textContent("#balance-result");
    check(!(await page.getAttribute("#balance-result", "class") || "").includes("error"), `balance preview: ${text}`);
  } else {
    console.log("skip: this irqd has no balancer; the balance panel is hidden");
  }

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
  await page.screenshot({ path: path.join(outDir, "dashboard.png"), fullPage: true });
  console.log(`screenshot: ${path.join(outDir, "dashboard.png")}`);
  check(consoleErrors.length === 0, `no console errors${consoleErrors.length ? ": " + consoleErrors.join(" | ") : ""}`);
} catch (e) {
  failures.push(String(e));
  console.error(e);
} finally {
  await browser.close();
  irqd.kill("SIGTERM");
  clearTimeout(guard);
}
process.exit(failures.length ? 1 : 0);
