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
  // As the router's own exits: 1 for a source that does not build, 3 for a build it cannot write.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error?.exitCode ?? 1);
}
process.setSourceMapsEnabled(true);
await import(pathToFileURL(paths.main).href);
