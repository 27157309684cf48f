import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CatalogSlo } from '../../src/slo/catalog.js';
import { routerCatalog } from '../../test/support/router-catalog.js';
import { CatalogError } from './catalog-error.js';
import { loadCatalog, parseCatalog } from './load-catalog.js';
import { StartupError } from './startup-error.js';
import { describeError } from '../../src/slo/spec-error.js';

const withoutQuery = ({ errorRatioQuery: _, ...slo }: CatalogSlo) => slo;

function problems(text: string): string[] {
  try {
    parseCatalog(text, 'catalog.json');
  } catch (error) {
    if (error instanceof CatalogError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a CatalogError');
}

describe('router catalog', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('accepts the catalog npm run generate wrote, naming its project, and the test catalog, written without one', () => {
    const path = new URL('../catalog.json', import.meta.url).pathname;
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ generatedBy: { tool: 'slokit', project: 'slokit/slos' } });
    const generated = loadCatalog(path);
    expect(generated?.services.length).toBeGreaterThan(0);
    expect(parseCatalog(JSON.stringify(routerCatalog(), null, 2), 'catalog.json')).toEqual(routerCatalog());
  });

  const cases = [
    {
      name: 'names the line and column where the JSON ends too early',
      input: '{"version":1,"services":[',
      expectedError: ['catalog catalog.json:1:26: Unexpected end of JSON input (run npm run generate)'],
    },
    {
      name: 'names the line and column of an unexpected token on a later line, without V8 quoting the text',
      input: '{\n  "version": 1,\n  "services": [\n    {"name": "a", "team": }\n  ]\n}\n',
      expectedError: ["catalog catalog.json:4:27: Unexpected token '}' (run npm run generate)"],
    },
    {
      name: 'refuses null as a catalog',
      input: 'null',
      expectedError: ['catalog catalog.json:1:1: is not a version 1 slokit catalog (run npm run generate)'],
    },
    {
      name: 'refuses a list as a catalog',
      input: '[1,2]',
      expectedError: ['catalog catalog.json:1:1: is not a version 1 slokit catalog (run npm run generate)'],
    },
    {
      name: 'points at the version of another catalog version',
      input: '{\n  "version": 2,\n  "services": []\n}',
      expectedError: ['catalog catalog.json:2:14: is not a version 1 slokit catalog (run npm run generate)'],
    },
  ];
  it.each(cases)('$name', ({ input, expectedError }) => {
    expect(problems(input)).toEqual(expectedError);
  });

  it('names each bad entry and field, with its line, all at once', () => {
    const catalog = routerCatalog();
    const text = JSON.stringify(
      {
        version: 1,
        services: [{ ...catalog.services[0]!, name: 7 }],
        slos: [{ ...withoutQuery(catalog.slos[0]!), tiers: [{ ...catalog.slos[0]!.tiers[0]!, severity: 'loud' }] }, { y: 2 }],
      },
      null,
      2,
    );
    const [header, ...lines] = problems(text);
    expect(header).toBe(`${lines.length} problems in the catalog (run npm run generate):`);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  catalog catalog.json:5:15: services[0].name: Invalid input: expected string, received number',
        '  catalog catalog.json:20:5: slos[0].errorRatioQuery: missing (expected string)',
        '  catalog catalog.json:36:23: slos[0].tiers[0].severity: Invalid option: expected one of "page"|"ticket"',
        '  catalog catalog.json:44:5: slos[1].id: missing (expected string)',
        '  catalog catalog.json:44:5: slos[1].tiers: missing (expected array)',
      ]),
    );
    // Every required field of an SLO entry is reported for the one that has none.
    expect(lines.filter((l) => l.includes('slos[1].'))).toHaveLength(12);
  });

  it('is missing, not broken, when the file does not exist (the router starts with config defaults)', () => {
    dir = mkdtempSync(join(tmpdir(), 'slokit-catalog-'));
    expect(loadCatalog(join(dir, 'catalog.json'))).toBeUndefined();
  });

  it('names the path it cannot read, such as a directory', () => {
    dir = mkdtempSync(join(tmpdir(), 'slokit-catalog-'));
    const error: unknown = (() => {
      try {
        return loadCatalog(dir!);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(StartupError);
    expect(describeError(error)).toBe(`could not read catalog ${dir}: EISDIR: illegal operation on a directory, read`);
  });

  it('names the file in the errors of a catalog it read', () => {
    dir = mkdtempSync(join(tmpdir(), 'slokit-catalog-'));
    const file = join(dir, 'catalog.json');
    writeFileSync(file, 'null');
    expect(() => loadCatalog(file)).toThrow(`catalog ${file}:1:1: is not a version 1 slokit catalog`);
  });
});
