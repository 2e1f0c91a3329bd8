/**
 * A tiny static file server (node:http) for the live lab's built page (`dist/web`): GET and HEAD
 * only, a MIME type per extension (`application/wasm` for the kernels, so browsers compile them
 * streaming), `index.html` for a directory, and nothing outside the root: a request path is
 * decoded, normalised and refused (404) unless it stays inside it, and symbolic links that leave
 * it are refused too. Nothing is cached in memory; every response says `no-store`, so a rebuilt page
 * is seen at once.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

/** Content types by file extension; anything else is `application/octet-stream`. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.bin': 'application/octet-stream',
};

/** The port is in use (or cannot be bound); the message says which and what to do. */
export class ServeError extends Error {
  override name = 'ServeError';
}

/** A running server and the URL it answers at. */
export interface StaticServer {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

/**
 * The file under `root` that `urlPath` names, or null when it would leave `root` (after
 * decoding `%2e%2e` and the like) or cannot be decoded.
 * @param root an absolute, real (symlink-free) directory
 */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decoded.replaceAll('\\', '/')));
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

function send(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** Handles one request against `root` (see the module comment). */
function handle(root: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed\n');
  }
  let file = resolveInside(root, req.url ?? '/');
  if (!file) return send(res, 404, 'not found\n');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
    if (stat.isDirectory()) {
      file = path.join(file, 'index.html');
      stat = fs.statSync(file);
    }
    const real = fs.realpathSync(file);
    if (!real.startsWith(root + path.sep)) return send(res, 404, 'not found\n');
  } catch {
    return send(res, 404, 'not found\n');
  }
  if (!stat.isFile()) return send(res, 404, 'not found\n');
  res.writeHead(200, {
    'content-type': MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': stat.size,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') return void res.end();
  fs.createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

/**
 * Serves `dir` at `http://host:port/` (port 0: any free port).
 * @throws ServeError when `dir` has no index.html, or the port is taken or cannot be bound
 */
export async function serveStatic(dir: string, port: number, host: string): Promise<StaticServer> {
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    throw new ServeError(`${dir} holds no index.html: the live lab is not built; run: npm run build`);
  }
  const root = fs.realpathSync(dir);
  const server = http.createServer((req, res) => handle(root, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const what = `${host}:${port}`;
      if (e.code === 'EADDRINUSE') reject(new ServeError(`port ${port} is already in use on ${host} (another server is running there); pick another with --port, e.g. --port ${port + 1}`));
      else if (e.code === 'EACCES') reject(new ServeError(`not allowed to listen on ${what} (ports below 1024 need privileges); pick another with --port`));
      else reject(new ServeError(`cannot listen on ${what}: ${e.message}; check --host and --port`));
    });
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    url: `http://${shownHost}:${bound}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
