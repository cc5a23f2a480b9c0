/** Which config a command runs with: `--config`, else `SWITCHBOARD_CONFIG`, else the built-in demo. */

import type { SwitchboardConfig } from './config-schema.js';
import { demoConfig } from './demo-config.js';
import { loadConfigFile, parseConfig } from './load-config.js';

export function resolveConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): { config: SwitchboardConfig; source: string } {
  const file = path ?? env.SWITCHBOARD_CONFIG;
  if (file) return { config: loadConfigFile(file, env), source: file };
  return { config: parseConfig(demoConfig, 'built-in demo config', env), source: 'built-in demo config' };
}
