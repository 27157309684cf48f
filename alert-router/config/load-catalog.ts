import { readFileSync } from 'node:fs';
import type { Catalog } from '../../src/slo/catalog.js';

/** An empty catalog: every alert falls back to config defaults until `npm run generate` has run. */
export const EMPTY_CATALOG: Catalog = { version: 1, services: [], slos: [] };

/**
 * Reads the catalog `npm run generate` writes. A missing file is not fatal (the router must keep
 * accepting alerts): it returns undefined and the caller logs and uses {@link EMPTY_CATALOG}.
 */
export function loadCatalog(file: string): Catalog | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`could not read catalog ${file}`, { cause: error });
  }
  const parsed = JSON.parse(text) as Partial<Catalog>;
  if (parsed.version !== 1 || !Array.isArray(parsed.services) || !Array.isArray(parsed.slos)) {
    throw new Error(`catalog ${file} is not a version 1 slokit catalog (run npm run generate)`);
  }
  return parsed as Catalog;
}
