// The sections whose modules measure and return their figures (they also run alone, from their
// own command line), put in the aggregator's shape: a title, the JSON value, the table's lines
// with each goal and ✓/✗ beside the figure.
import { benchGallery } from './gallery.mjs';
import { run as firstCommand } from './firstCommand.mjs';
import { run as reference } from './reference.mjs';
import { run as vsix } from './vsix.mjs';
import { mark, table } from './common.mjs';

const row = (what, figure, unit, goal, ok) => [what, `${figure ?? '-'} ${unit}`, goal, mark(ok)];
const HEADER = ['', 'ours', 'goal', ''];

export const sections = {
  firstCommand: {
    title: 'First command: extension work before the prompt box, and to the first submit',
    async run() {
      const r = await firstCommand({ build: true });
      return {
        json: r,
        lines: table(HEADER, [
          row('command → prompt box (wall)', r.promptBoxMs, 'ms', '< 30 ms', r.promptBoxMs < 30),
          row('command → prompt box (CPU)', r.promptBoxCpuMs, 'ms', '', undefined),
          row('accept → submit arrives (typed in 1.5 s)', r.firstSubmitMs, 'ms', '', undefined),
          row('accept → submit arrives (at once)', r.firstSubmitAtOnceMs, 'ms', '', undefined),
        ]),
      };
    },
  },
  gallery: {
    title: 'Gallery: 1,000 images of 2048² (3–6 MB PNGs), in code-server + Chromium',
    async run(ctx) {
      const r = await benchGallery({ log: ctx.log, items: 1000 });
      return {
        json: r,
        lines: table(HEADER, [
          row('first paint after the script starts', r.firstPaintMs, 'ms', '< 200 ms', r.firstPaintMs < 200),
          row('  Chromium’s first contentful paint (frame presented)', r.firstContentfulPaintMs ?? '-', 'ms', '', undefined),
          row('  the same from the page’s navigation (files loading)', r.firstPaintFromNavigationMs, 'ms', '', undefined),
          row('  opened again (median of the openings after it)', r.firstPaintAgainMs ?? '-', 'ms', '', undefined),
          row(`webview's renderer after scrolling to the end (${r.webviewProcess} process)`, r.rendererMB, 'MB', '< 300 MB', r.rendererMB < 300),
          row('  the same renderer before the gallery opened', r.rendererBeforeMB, 'MB', '', undefined),
          row('  the same renderer, gallery open, before scrolling', r.rendererAfterOpenMB, 'MB', '', undefined),
          row('  after scrolling and a forced garbage collection', r.rendererAfterGcMB, 'MB', '', undefined),
          row('workbench renderer: before → open → scrolled', `${r.workbenchBeforeMB} → ${r.workbenchAfterOpenMB} → ${r.workbenchMB}`, 'MB', '', undefined),
          row('  after the forced garbage collection', r.workbenchAfterGcMB, 'MB', '', undefined),
          row('  cards in the page after scrolling (windowed)', r.domCards, `of ${r.items}`, '', undefined),
          row('longest task while scrolling (any frame)', r.longestTaskMs, 'ms', '< 50 ms', r.longestTaskMs < 50),
          row('  of which the gallery page’s own', r.longestOwnTaskMs, 'ms', '', undefined),
          row('filter, slowest keystroke', r.filterMs, 'ms', '< 30 ms', r.filterMs < 30),
          row('first screen of images', r.firstImagesMs, 'ms', '', undefined),
          row('one thumbnail (worker)', r.thumbMsEach, 'ms', '', undefined),
        ]),
      };
    },
  },
  reference: {
    title: 'Reference images: a 12 MP photo prepared (off the main thread)',
    async run() {
      const r = await reference({});
      return {
        json: r,
        lines: table(HEADER, [
          row('12 MP progressive JPEG → 2048 px', r.prepareMs, 'ms', '< 500 ms', r.prepareMs < 500),
          row('  the same, first request (worker started)', r.coldMs, 'ms', '', undefined),
          row('12 MP baseline JPEG (as phones write them) → 2048 px', r.prepareMsBaseline, 'ms', '< 500 ms', r.prepareMsBaseline < 500),
          row('4.5 MP progressive JPEG → 2048 px', r.prepareMs4_5Progressive, 'ms', '', undefined),
          row('main thread blocked at most', r.mainThreadBlockMs, 'ms', '', undefined),
          row('parts made by the worker’s helper thread', r.helperParts, '', '', undefined),
        ]),
      };
    },
  },
  vsixKB: {
    title: 'Package: the .vsix',
    async run() {
      const r = await vsix({ build: true });
      const biggest = r.files.slice(0, 6).map((f) => row(`  ${f.name}`, (f.compressed / 1024).toFixed(1), 'KB', '', undefined));
      return { json: r.vsixKB, lines: table(HEADER, [row('.vsix', r.vsixKB, 'KB', '≤ 300 KB', r.vsixKB <= 300), ...biggest]) };
    },
  },
};
