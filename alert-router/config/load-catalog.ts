import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { Catalog } from '../../src/slo/catalog.js';
import { CatalogError } from './catalog-error.js';
import { catalogSchema } from './catalog-schema.js';
import { jsonErrorPosition } from './json-error-position.js';
import { StartupError } from './startup-error.js';
import { fieldPath, yamlPositions, type Position } from './yaml-positions.js';

/** An empty catalog: every alert falls back to config defaults until `npm run generate` has run. */
export const EMPTY_CATALOG: Catalog = { version: 1, services: [], slos: [] };

/**
 * Reads the catalog `npm run generate` writes. A missing file is not fatal (the router must keep
 * accepting alerts): it returns undefined and the caller logs and uses {@link EMPTY_CATALOG}. A file
 * that cannot be read throws a {@link StartupError}; one that is not a catalog, a {@link CatalogError}.
 */
export function loadCatalog(file: string): Catalog | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StartupError(`could not read catalog ${file}`, { cause: error });
  }
  return parseCatalog(text, file);
}

/** Parses and checks catalog text; `file` is for messages. Reports every bad entry at once. */
export function parseCatalog(text: string, file: string): Catalog {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CatalogError([{ file, path: '', ...jsonErrorPosition(text, error) }]);
  }
  const parsed = catalogSchema.safeParse(data);
  if (parsed.success) return parsed.data as Catalog;
  // Positions only on this error path: JSON is YAML, and the YAML parser keeps each node's offset.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const positions = doc.errors.length > 0 ? undefined : yamlPositions(doc, lineCounter);
  const where = (path: readonly PropertyKey[]): Position => positions?.value(path) ?? {};
  const root = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  if (root?.['version'] !== 1) {
    throw new CatalogError([{ file, path: '', message: 'is not a version 1 slokit catalog', ...where(root !== undefined && 'version' in root ? ['version'] : []) }]);
  }
  const message = (i: (typeof parsed.error.issues)[number]) =>
    i.code === 'invalid_type' && i.message.endsWith('received undefined') ? `missing (expected ${i.expected})` : i.message;
  throw new CatalogError(parsed.error.issues.map((i) => ({ file, path: fieldPath(i.path), message: message(i), ...where(i.path) })));
}
