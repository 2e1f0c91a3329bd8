import { chromium } from 'playwright-core';
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-try-'));
const ctx = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, viewport: {width: 1300, height: 1000}, args: ['--headless','--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = await ctx.newPage();
page.on('console', m => console.log('console', m.type(), m.text()));
page.on('pageerror', e => console.log('pageerror', e.message));
await page.goto('http://127.0.0.1:8732/');
const mode = process.argv[2];
if (mode === 'sdae5') { await page.selectOption('#pretrain', 'sdae'); await page.check('#five-seeds'); await page.fill('#pretrain-epochs', '2'); await page.fill('#finetune-epochs', '5'); await page.fill('#width','50'); await page.fill('#depth','2'); }
if (mode === 'shapeset') { await page.check('input[name=data][value=shapeset]'); await page.fill('#pretrain-epochs', '2'); await page.fill('#finetune-epochs', '5'); }
if (mode === 'stop') { await page.fill('#pretrain-epochs', '50'); }
const t0 = Date.now();
await page.click('#start');
for (let i = 0; i < 120; i++) {
  await page.waitForTimeout(1000);
  const s = await page.evaluate(() => [document.getElementById('status').textContent, document.getElementById('filters').dataset.updates, document.getElementById('test-error-pretrained').textContent, document.getElementById('test-error-random').textContent, document.getElementById('pretrain-log').textContent]);
  if (i % 3 === 0) console.log((Date.now()-t0)/1000, JSON.stringify(s));
  if (mode === 'stop' && i === 2) { await page.click('#stop'); }
  if (/done|error|fail|stopped/.test(s[0])) { console.log('END', JSON.stringify(s)); break; }
}
await page.screenshot({ path: `/tmp/web-shot-${mode}.png`, fullPage: true });
await ctx.close();
