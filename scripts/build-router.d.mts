/** Types of scripts/build-router.mjs, for the benchmark that imports it. */
export interface RouterBuild {
  /** False when the last build was up to date and nothing was written. */
  built: boolean;
  /** The bundles: `main` (bin/router.js runs it) and `router-service` (startRouterService). */
  paths: Record<'main' | 'router-service', string>;
}

/**
 * Builds the router's bundles unless the last build is up to date; throws naming what esbuild could not
 * build, or (with `exitCode` 3) the directory it could not write.
 */
export function ensureRouterBuilt(root?: string): RouterBuild;
