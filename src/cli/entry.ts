#!/usr/bin/env node
/**
 * The `switchboard` executable's first module (dist/bin/switchboard.mjs): turns on V8's code
 * cache, then loads the CLI. Nothing else is imported statically here, so every module of the
 * CLI is loaded after the cache is on and can be compiled from it.
 */

import { enableCompileCache } from './compile-cache.js';

enableCompileCache();
await import('./main.js');
