/** Structured JSON logs (pino), one logger per runtime. */

import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { service: 'switchboard' } }, destination ?? process.stdout);
}
