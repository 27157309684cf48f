import { z } from 'zod';
import type { Catalog } from '../../src/slo/catalog.js';

/**
 * The shape of the catalog `npm run generate` writes (`buildCatalog` in src/slo/catalog.ts, whose
 * types are the reference). Fields the router does not know are dropped, so a catalog from a newer
 * generator with extra fields still loads. `generatedBy` (the project that wrote it) is one: it is
 * for `slokit generate` in a shared `--router-out`, and a catalog without it loads the same.
 */
const tier = z.object({
  severity: z.enum(['page', 'ticket']),
  budgetPercent: z.number(),
  long: z.string(),
  short: z.string(),
  factor: z.number(),
});

const slo = z.object({
  id: z.string().min(1),
  service: z.string().min(1),
  name: z.string().min(1),
  description: z.string(),
  objective: z.number(),
  errorBudget: z.number(),
  window: z.string(),
  sliKind: z.enum(['ratio', 'latency', 'boolGauge', 'raw']),
  team: z.string(),
  slack: z.string().optional(),
  pagerduty: z.string().optional(),
  runbookUrl: z.string().optional(),
  dashboardUrl: z.string(),
  errorRatioQuery: z.string(),
  tiers: z.array(tier),
});

const service = z.object({
  name: z.string().min(1),
  description: z.string(),
  team: z.string(),
  slack: z.string().optional(),
  pagerduty: z.string().optional(),
  dependsOn: z.array(z.string()),
  labels: z.record(z.string(), z.string()),
  slos: z.array(z.string()),
});

export const catalogSchema = z.object({ version: z.literal(1), services: z.array(service), slos: z.array(slo) });

// Every catalog buildCatalog can write passes the schema (checked by the compiler).
type Accepts<Schema, Value> = [Value] extends [Schema] ? true : never;
const catalogSchemaAcceptsCatalog: Accepts<z.input<typeof catalogSchema>, Catalog> = true;
