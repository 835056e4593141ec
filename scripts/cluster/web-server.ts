// SPDX-License-Identifier: GPL-2.0-or-later
// The cluster's web server (the seed's ClusterHttp, run by ocf:heartbeat:anything): serves ROOT/index.html, read
// from the replicated disk at every request, with `{{node}}` replaced by this node's name, so that the page lives
// on /data but says which node serves it. Usage: node web-server.js ROOT [PORT]
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const root = process.argv[2];
const port = Number(process.argv[3] ?? '80');
if (!root || !Number.isInteger(port)) {
  console.error('usage: web-server.js ROOT [PORT]');
  process.exit(2);
}

const server = http.createServer((request, response) => {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405).end();
    return;
  }
  readFile(path.join(root, 'index.html'), 'utf8').then(
    (page) => {
      const body = page.replaceAll('{{node}}', os.hostname());
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(request.method === 'HEAD' ? undefined : body);
    },
    // no page: the disk is not mounted here (or not yet), which the client must be able to tell
    (error: NodeJS.ErrnoException) => response.writeHead(503, { 'content-type': 'text/plain' }).end(`no page: ${error.code ?? error.message}\n`),
  );
});
server.listen(port, () => console.log(`web-server: ${root} on port ${port}`));
// SIGTERM keeps its default: the process ends at once, where a handler would wait for the event loop (and
// ocf:heartbeat:anything's stop, finding it still there, sleeps a whole second before it looks again)
