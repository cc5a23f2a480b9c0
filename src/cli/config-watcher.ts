/**
 * `serve --watch-config`: reloads when the config file changes. The file's directory is watched,
 * not the file, so editors that write a new file and rename it, and Kubernetes ConfigMaps that
 * swap a symlink, are seen too; bursts of events are settled for `settleMs` and a reload happens
 * only when the file's bytes changed.
 */

import { createHash } from 'node:crypto';
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface ConfigWatcher {
  close(): void;
}

function digestOf(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

export function watchConfigFile(path: string, onChange: () => void, settleMs = 200): ConfigWatcher {
  let digest = digestOf(path);
  let timer: NodeJS.Timeout | undefined;
  const name = basename(path);
  const check = () => {
    timer = undefined;
    const next = digestOf(path);
    if (next === undefined || next === digest) return;
    digest = next;
    onChange();
  };
  const watcher: FSWatcher = watch(dirname(path), (_event, file) => {
    // ConfigMaps change `..data`, not the file's own name: any event in the directory is checked.
    if (file !== null && file !== name && !file.startsWith('..')) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, settleMs);
  });
  watcher.unref();
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
