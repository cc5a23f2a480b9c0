/** Every CLI command, in the order `switchboard --help` lists them. Commands load their implementation lazily. */

import type { Command } from '../command.js';
import { loadtestCommand } from './loadtest-command.js';
import { serveCommand } from './serve-command.js';
import { mockLlmCommand } from './mock-llm-command.js';
import { keysCreateCommand, keysListCommand, keysRevokeCommand } from './keys-commands.js';
import { configCheckCommand } from './config-check-command.js';
import { storeInitCommand } from './store-init-command.js';
import { planGpuCommand } from './plan-gpu-command.js';
import { planDeployCommand } from './plan-deploy-command.js';
import { intentEvalCommand } from './intent-eval-command.js';

export const commands: readonly Command[] = [
  serveCommand,
  mockLlmCommand,
  loadtestCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  configCheckCommand,
  storeInitCommand,
  planGpuCommand,
  planDeployCommand,
  intentEvalCommand,
];
