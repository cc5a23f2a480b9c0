/**
 * A loopback port with nothing listening, so connections to it are refused. A port below 1024: a bind to
 * port 0 never hands one out (the ephemeral range is far above), whereas a port freed after a bind to 0
 * can be taken at once by a server that another test file, running in parallel, starts — and the "closed"
 * port then answers. Each candidate is checked to refuse; each call in a process returns a different one.
 */

import { connect } from 'node:net';

const candidates = [9, 7, 13, 19, 37, 79, 119, 143, 161, 179];

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

export async function closedLoopbackPort(): Promise<number> {
  while (candidates.length > 0) {
    const port = candidates.shift()!;
    if (await refuses(port)) return port;
  }
  throw new Error('no closed port below 1024 on 127.0.0.1 to stand for a service that is down');
}
