// A static file server for preview-mode browser tests (no Black Belt server needed):
// /runtime/<file> from packages/_runtime, /content/<course>/<file> from the first of the
// given package folders that has <course>. Listens on 127.0.0.1, a free port.

import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.xml': 'application/xml' };

export async function serveStatic(runtimeDir, packageDirs) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = null;
    if (path.startsWith('/runtime/')) file = join(runtimeDir, normalize(path.slice(9)));
    else if (path.startsWith('/content/')) {
      const rel = normalize(path.slice(9));
      const dir = packageDirs.find((d) => existsSync(join(d, rel.split('/')[0])));
      if (dir) file = join(dir, rel);
    }
    const inside = file && [runtimeDir, ...packageDirs].some((d) => resolve(file).startsWith(resolve(d) + '/'));
    if (!inside || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}
