#!/usr/bin/env node
// `npm run router`: builds the alert-router into plain JavaScript when its sources changed
// (scripts/build-router.mjs), then runs it in this process, so signals (SIGHUP reload, SIGTERM drain)
// reach it directly. Stack traces name the TypeScript files and lines, through the source maps.
import { pathToFileURL } from 'node:url';
import { ensureRouterBuilt } from '../scripts/build-router.mjs';

let paths;
try {
  ({ paths } = ensureRouterBuilt());
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(pathToFileURL(paths.main).href);
