/**
 * Headless Chromium (Debian `chromium`, installed by scripts/ensure-peers.mjs) for checking that an
 * HTML report renders: a screenshot, and the rendered size of its SVG charts.
 */
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { run } from './promtool.js';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
];

async function withProfile<T>(fn: (profile: string) => Promise<T>): Promise<T> {
  const profile = await mkdtemp(join(tmpdir(), 'slokit-chromium-'));
  try {
    return await fn(profile);
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** Screenshots `htmlPath` into `pngPath` at `width`×`height`; returns the PNG's size in bytes. */
export async function screenshot(htmlPath: string, pngPath: string, width = 1280, height = 2400): Promise<number> {
  await withProfile(async (profile) => {
    const result = await run(
      'chromium',
      [...FLAGS, `--user-data-dir=${profile}`, `--screenshot=${pngPath}`, `--window-size=${width},${height}`, pathToFileURL(htmlPath).href],
      { timeoutMs: 60_000 },
    );
    if (result.code !== 0) throw new Error(`chromium --screenshot failed (${result.code}): ${result.output}`);
  });
  return (await stat(pngPath)).size;
}

export interface RenderedBox {
  className: string;
  width: number;
  height: number;
  /** Drawn children (lines, rects, polylines) inside the SVG. */
  marks: number;
}

/**
 * The rendered size of every `<svg>` of a page, as Chromium lays it out: a copy of the page gets a
 * script that writes `getBoundingClientRect()` of each SVG into the DOM, and `--dump-dom` reads it back.
 */
export async function renderedSvgBoxes(htmlPath: string): Promise<RenderedBox[]> {
  const dir = await mkdtemp(join(tmpdir(), 'slokit-measure-'));
  try {
    const copy = join(dir, 'page.html');
    await copyFile(htmlPath, copy);
    const probe = `<script>addEventListener('load', () => { const out = [...document.querySelectorAll('svg')].map((s) => { const r = s.getBoundingClientRect(); return { className: s.getAttribute('class') || '', width: r.width, height: r.height, marks: s.querySelectorAll('line, rect, polyline, path').length }; }); const pre = document.createElement('pre'); pre.id = 'svg-boxes'; pre.textContent = JSON.stringify(out); document.body.appendChild(pre); });</script>`;
    const html = (await readFile(copy, 'utf8')).replace('</body>', `${probe}</body>`);
    await writeFile(copy, html);
    const dom = await withProfile(async (profile) => {
      const result = await run('chromium', [...FLAGS, `--user-data-dir=${profile}`, '--virtual-time-budget=5000', '--dump-dom', pathToFileURL(copy).href], {
        timeoutMs: 60_000,
      });
      if (result.code !== 0) throw new Error(`chromium --dump-dom failed (${result.code}): ${result.output}`);
      return result.output;
    });
    const m = /<pre id="svg-boxes">([^<]*)<\/pre>/.exec(dom);
    if (!m) throw new Error(`chromium did not run the measuring script; DOM starts: ${dom.slice(0, 300)}`);
    return JSON.parse(m[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as RenderedBox[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
