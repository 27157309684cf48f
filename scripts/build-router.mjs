#!/usr/bin/env node
// Builds the alert-router into plain JavaScript with esbuild: `dist/alert-router/main.mjs` (what
// `npm run router` runs, through bin/router.js) and `dist/alert-router/router-service.mjs` (what
// `npm run bench:router` measures), each with a source map. Run directly (`node
// scripts/build-router.mjs`) it builds and says what it wrote; bin/router.js calls `ensureRouterBuilt`.
//
// Why not run the TypeScript through tsx, as the other commands do: tsx compiles with esbuild's
// `keepNames`, which wraps every function the router makes per request in a `__name(...)` call that
// defines a property on it: 7 % of the router's main thread per single-alert webhook, and 8.5 % more
// webhooks per second without it (the median of six alternating pairs; docs/benchmarks.md, "Round of
// 2026-12-03, afternoon"). The CLI still needs tsx: it imports the user's slos/*.ts at run time.
//
// A build is skipped when the stamp of the last one still holds: the same esbuild, the same options
// and the same content of every source file it bundled. Outputs are written to a temporary file and
// renamed, so two routers starting at once (or one starting while another runs) never read half a file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import esbuild from 'esbuild';

const PROJECT = fileURLToPath(new URL('../', import.meta.url));

/** Entry points, by output name. */
const ENTRIES = { main: 'alert-router/main.ts', 'router-service': 'alert-router/router-service.ts' };

/** esbuild's options for the project at `root`: the bundles go to `root`/dist/alert-router. */
const options = (root) => ({
  entryPoints: ENTRIES,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Every npm package stays an import: better-sqlite3 is native, and the rest resolve from node_modules
  // as they do for the TypeScript (dist/ is inside the project).
  packages: 'external',
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  outdir: join(root, 'dist', 'alert-router'),
  outExtension: { '.js': '.mjs' },
  absWorkingDir: root,
  metafile: true,
  write: false,
  logLevel: 'silent',
});

function optionsKey() {
  const { absWorkingDir: _root, outdir: _out, ...rest } = options(PROJECT);
  return createHash('sha256').update(JSON.stringify({ esbuild: esbuild.version, ...rest })).digest('hex');
}

function digest(root, file) {
  return createHash('sha256').update(readFileSync(join(root, file))).digest('hex');
}

/** True when the last build's stamp matches this esbuild, these options and every input's content. */
function upToDate(root, outDir) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(outDir, 'build-stamp.json'), 'utf8'));
  } catch {
    return false;
  }
  if (!Object.keys(ENTRIES).every((name) => existsSync(join(outDir, `${name}.mjs`)))) return false;
  if (stamp.options !== optionsKey() || typeof stamp.inputs !== 'object' || stamp.inputs === null) return false;
  try {
    return Object.entries(stamp.inputs).every(([file, sum]) => digest(root, file) === sum);
  } catch {
    return false;
  }
}

function writeAtomically(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/** esbuild's errors as `file:line:column: message`, one a line. */
function describe(errors) {
  return errors
    .map((e) => (e.location === null || e.location === undefined ? e.text : `${e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}`))
    .join('\n');
}

/**
 * Builds the router's bundles (of the project at `root`, this one unless a test says otherwise) unless
 * the last build is up to date. Returns the bundles' paths and
 * whether it built. Throws an Error naming the file, line and column of what esbuild could not build
 * (exit code 1), or the directory it could not write (`exitCode` 3, I/O).
 */
export function ensureRouterBuilt(root = PROJECT) {
  const outDir = join(root, 'dist', 'alert-router');
  const paths = Object.fromEntries(Object.keys(ENTRIES).map((name) => [name, join(outDir, `${name}.mjs`)]));
  if (upToDate(root, outDir)) return { built: false, paths };
  let result;
  try {
    result = esbuild.buildSync(options(root));
  } catch (error) {
    const errors = Array.isArray(error?.errors) ? error.errors : [];
    throw new Error(`could not build the alert-router:\n${errors.length > 0 ? describe(errors) : String(error)}`, { cause: error });
  }
  // Maps before the code that names them; the stamp last, so a build cut short is redone.
  const files = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
  try {
    for (const f of files) writeAtomically(f.path, f.contents);
  } catch (error) {
    // A read-only install: build at image time (`npm run router:build`), and a start finds it up to date.
    throw Object.assign(new Error(`could not write the built alert-router to ${outDir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }), {
      exitCode: 3,
    });
  }
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs)
      .filter((file) => !file.startsWith('node_modules/'))
      .sort()
      .map((file) => [file, digest(root, file)]),
  );
  writeAtomically(join(outDir, 'build-stamp.json'), `${JSON.stringify({ options: optionsKey(), inputs }, null, 2)}\n`);
  return { built: true, paths };
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  try {
    const { built, paths } = ensureRouterBuilt();
    const list = Object.values(paths).map((p) => relative(process.cwd(), p)).join(', ');
    process.stdout.write(built ? `built ${list}\n` : `up to date: ${list}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error?.exitCode ?? 1);
  }
}
