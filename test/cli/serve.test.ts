/**
 * `pretrain-lab serve`'s static server: MIME types (application/wasm for the kernels), index.html
 * for a directory, nothing outside the served directory whatever the path's spelling, and a clear
 * error when the port is taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { resolveInside, serveStatic, ServeError } from '../../src/cli/static-server.ts';
import { exitCodeFor } from '../../src/cli/errors.ts';
import { spawn } from 'node:child_process';
import { BIN } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** A served directory `<tmp>/site` beside a secret `<tmp>/secret.txt` and a symlink out of it. */
function site(): { dir: string; secret: string } {
  const top = tempDir();
  const dir = path.join(top, 'site');
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'wasm'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>lab</title>');
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'export {};');
  fs.writeFileSync(path.join(dir, 'assets', 'app.css'), 'body{}');
  fs.writeFileSync(path.join(dir, 'wasm', 'kernels.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  const secret = path.join(top, 'secret.txt');
  fs.writeFileSync(secret, 'TOP SECRET');
  fs.symlinkSync(secret, path.join(dir, 'link.txt'));
  return { dir, secret };
}

/** GET `rawPath` exactly as written (no client-side normalisation). */
function get(port: number, rawPath: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serve answers with the MIME type of each file: html, javascript, css and application/wasm', async (t) => {
  const { dir } = site();
  const s = await serveStatic(dir, 0, '127.0.0.1');
  t.after(() => s.close());
  const port = Number(new URL(s.url).port);
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const cases: [string, RegExp][] = [['/', /^text\/html/], ['/index.html', /^text\/html/], ['/assets/app.js', /^text\/javascript/], ['/assets/app.css', /^text\/css/], ['/wasm/kernels.wasm', /^application\/wasm$/]];
  for (const [p, type] of cases) {
    const r = await get(port, p);
    assert.equal(r.status, 200, p);
    assert.match(r.type ?? '', type, p);
  }
  assert.equal((await get(port, '/missing.js')).status, 404);
  assert.equal((await get(port, '/index.html', 'POST')).status, 405);
});

test('serve never answers with a file outside its directory, however the path is spelled', async (t) => {
  const { dir } = site();
  const s = await serveStatic(dir, 0, '127.0.0.1');
  t.after(() => s.close());
  const port = Number(new URL(s.url).port);
  const attempts = ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/..%2fsecret.txt', '/..%5csecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/link.txt', '/%00../secret.txt', '/%E0%A4%A'];
  for (const p of attempts) {
    const r = await get(port, p);
    assert.equal(r.status, 404, `${p} answers 404`);
    assert.doesNotMatch(r.body, /TOP SECRET/, `${p} does not leak the file`);
  }
  // Inside the directory, dot segments that stay inside are fine.
  assert.equal((await get(port, '/assets/../index.html')).status, 200);
});

test('resolveInside keeps every decoded path inside the root and refuses the rest', () => {
  const root = path.resolve('/srv/site');
  assert.equal(resolveInside(root, '/a/b.js?x=1'), path.join(root, 'a', 'b.js'));
  assert.equal(resolveInside(root, '/'), root);
  for (const p of ['/%2e%2e/x', '/../x', '/a/%2e%2e/%2e%2e/x']) {
    const r = resolveInside(root, p);
    assert.ok(r === null || r.startsWith(root + path.sep) || r === root, `${p} -> ${r}`);
  }
  assert.equal(resolveInside(root, '/%zz'), null);
  assert.equal(resolveInside(root, '/a%00b'), null);
});

test('serve on a port already in use fails with a ServeError naming the port and --port (exit code 2)', async (t) => {
  const { dir } = site();
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as net.AddressInfo).port;
  await assert.rejects(serveStatic(dir, port, '127.0.0.1'), (e: Error) => {
    assert.ok(e instanceof ServeError);
    assert.match(e.message, new RegExp(`port ${port} is already in use.*--port`));
    assert.equal(exitCodeFor(e), 2);
    return true;
  });
});

test('serve of a directory without index.html says the page is not built and how to build it', async () => {
  await assert.rejects(serveStatic(tempDir(), 0, '127.0.0.1'), /holds no index\.html.*npm run build/);
});

test('pretrain-lab serve --port 0 --json prints the URL it serves and answers there', { timeout: 60_000 }, async (t) => {
  const { dir } = site();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--dir', dir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill());
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  const { event, url } = JSON.parse(line) as { event: string; url: string };
  assert.equal(event, 'serving');
  const r = await get(Number(new URL(url).port), '/');
  assert.equal(r.status, 200);
  assert.match(r.body, /<title>lab<\/title>/);
});
