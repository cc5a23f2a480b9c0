/** `switchboard serve`: builds the runtime once, serves HTTP, reloads its config on SIGHUP, drains on SIGTERM. */

import { intFlag, stringFlag, type Command } from '../command.js';

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'Run the Switchboard HTTP server',
  usage: `Usage: switchboard serve [--config FILE] [--port N] [--host H] [--data-dir DIR] [--workers N] [--watch-config]

Starts the server. Without --config (or SWITCHBOARD_CONFIG) it runs the built-in demo:
two agents, SQLite under --data-dir, and LLM simulators on loopback.
SIGHUP (or POST /v1/admin/reload with an admin key) reloads the config without
dropping a request: a bad file, or one that changes a restart-only section
(server, store, auth, logging, limits, redis, simulator), is refused and logged.

Options:
  --config FILE    YAML config (default: $SWITCHBOARD_CONFIG, else the demo)
  --port N         port to listen on (default: server.port of the config, 8080)
  --host H         address to bind (default: server.host of the config, 0.0.0.0)
  --data-dir DIR   where the SQLite store lives (default: ./data)
  --workers N      processes to run, one per core (node:cluster; default: 1)
  --watch-config   also reload when the config file changes
  -h, --help       show this help`,
  options: {
    config: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    workers: { type: 'string' },
    'watch-config': { type: 'boolean' },
  },
  async run({ values }) {
    const port = values.port === undefined ? undefined : intFlag(values, 'port', 8080, 0, 65535);
    const workers = intFlag(values, 'workers', 1, 1, 256);
    const { runServe } = await import('../serve.js');
    return runServe({ configPath: stringFlag(values, 'config'), port, host: stringFlag(values, 'host'), dataDir: stringFlag(values, 'data-dir') ?? './data', workers, watchConfig: values['watch-config'] === true });
  },
};
