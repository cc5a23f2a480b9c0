/**
 * The C floor of the relay benchmark: nginx from Debian's package, one worker, `proxy_buffering off`
 * (so a stream passes token by token), a keep-alive upstream. Started by the bench with its own
 * config and prefix in a temp dir; absent nginx skips the row with the reason.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchProcess, freePort } from './bench-process.js';
import type { RunningServer } from './bench-servers.js';

/** nginx's path, or why it cannot run here. */
export function findNginx(): { path: string } | { missing: string } {
  for (const path of ['/usr/sbin/nginx', '/usr/bin/nginx']) {
    try {
      execFileSync(path, ['-v'], { stdio: 'ignore' });
      return { path };
    } catch {
      // Not there.
    }
  }
  return { missing: 'nginx is not installed (apt-get install nginx-light); the C-floor row is skipped' };
}

export function nginxConfig(listenPort: number, upstreamPort: number, prefix: string): string {
  return `daemon off;
master_process on;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${join(prefix, 'body')};
  proxy_temp_path ${join(prefix, 'proxy')};
  fastcgi_temp_path ${join(prefix, 'fastcgi')};
  uwsgi_temp_path ${join(prefix, 'uwsgi')};
  scgi_temp_path ${join(prefix, 'scgi')};
  upstream backend { server 127.0.0.1:${upstreamPort}; keepalive 512; }
  server {
    listen 127.0.0.1:${listenPort} backlog=8192;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
`;
}

export async function startNginx(nginxPath: string, upstreamUrl: string): Promise<RunningServer & { cleanup(): void }> {
  const prefix = mkdtempSync(join(tmpdir(), 'switchboard-bench-nginx-'));
  for (const folder of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefix, folder));
  const port = await freePort();
  const configPath = join(prefix, 'nginx.conf');
  writeFileSync(configPath, nginxConfig(port, Number(new URL(upstreamUrl).port), prefix));
  const child = new BenchProcess('nginx', nginxPath, ['-p', prefix, '-c', configPath, '-e', 'stderr']);
  const url = `http://127.0.0.1:${port}`;
  // Any path is proxied; the simulator answers /health.
  await child.waitForHttp(`${url}/health`, 15_000, 20);
  return { process: child, url, port, cleanup: () => rmSync(prefix, { recursive: true, force: true }) };
}
