import { chromium } from 'playwright-core';
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-try-'));
const ctx = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, viewport: {width:1200,height:1000}, args: ['--headless','--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = await ctx.newPage();
await page.addInitScript(() => {
  window.timings = []; window.longTasks = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: 'longtask', buffered: true });
  const W = window.Worker;
  const term = W.prototype.terminate;
  W.prototype.terminate = function () { const t = performance.now(); term.call(this); window.timings.push(['terminate', Math.round(t), +(performance.now() - t).toFixed(1)]); };
  window.Worker = class extends W { set onmessage(fn) { super.onmessage = (e) => { const t = performance.now(); fn(e); window.timings.push([e.data.type, Math.round(t), +(performance.now() - t).toFixed(1)]); }; } get onmessage() { return super.onmessage; } };
});
await page.goto('http://127.0.0.1:8732/');
for (let r = 0; r < 4; r++) {
  await page.evaluate(() => { window.timings = []; window.longTasks = []; window.t0 = performance.now(); });
  await page.fill('#pretrain-epochs', '3'); await page.fill('#finetune-epochs', '8');
  await page.click('#start');
  await page.waitForFunction(() => /^done/.test(document.getElementById('status').textContent), null, { timeout: 60000 });
  await page.waitForTimeout(300);
  const r2 = await page.evaluate(() => ({ t0: Math.round(window.t0), slow: window.timings.filter(t => t[2] > 3 || t[0] === 'terminate' || t[0]==='done'), long: window.longTasks }));
  console.log(JSON.stringify(r2));
}
await ctx.close();
