// The gallery bench's webview in its own renderer process, as VS Code runs it (see gallery.mjs).
//
// VS Code desktop serves a webview from vscode-webview://, vscode.dev from https://{{uuid}}.vscode-cdn.net:
// either way another site than the workbench, so Chromium's site isolation gives the webview its own
// renderer process. code-server serves it from the workbench's own origin (its `webviewEndpoint`),
// so the webview shares the workbench's renderer and that process's figure is the sum of both.
// Here the workbench is told (its configuration <meta>, rewritten by an init script before
// workbench.js reads it) to load webviews from http://{{uuid}}.localhost:<port>/…/pre/: the same
// files from the same server, but another site (Chromium resolves *.localhost to loopback and counts
// it as a secure context; the host page accepts a hostname that is the hash of its parent origin and
// salt, which is what the workbench puts for {{uuid}}). Two things stand in the way and are lifted
// for the workbench page alone: its CSP (code-server's HTTP header allows frames from itself and
// https://*.vscode-cdn.net only: the top page's CSP is bypassed through CDP; the webview's frames
// are other targets and keep theirs, the gallery's own CSP included), and Playwright turning off
// third-party storage partitioning (without it a cross-site iframe may not register the service
// worker that serves the webview's resources; vscode.dev relies on it the same way).
/* global location -- the functions given to evaluate() run in the page */
import { readFileSync } from 'node:fs';

/**
 * Chromium switches for a cross-site webview: storage partitioning back on. Playwright passes
 * --disable-features=…,ThirdPartyStoragePartitioning,… first; the last one given wins, so this is
 * Playwright's list (playwright-core's chromiumSwitches) without that feature.
 */
export const OWN_PROCESS_BROWSER_ARGS = [
  '--disable-features=' +
    [
      'AvoidUnnecessaryBeforeUnloadCheckSync',
      'DestroyProfileOnBrowserClose',
      'HttpsUpgrades',
      'HttpsFirstBalancedModeAutoEnable',
      'LensOverlay',
      'MediaRouter',
      'PaintHolding',
      'AvoidCorsURLLoaderRestartOnRedirect',
      'TcpPortRandomizationWin',
      'OptimizationHints',
      'NetworkTimeServiceQuerying',
      'AimEnabled',
      'PreconnectToSearch',
    ].join(','),
];

/** Before the workbench is loaded in `page`: its webviews come from http://{{uuid}}.localhost:<port>. */
export async function serveWebviewsCrossSite(context, page, port) {
  await page.addInitScript((port) => {
    if (window !== window.top) return;
    const observer = new MutationObserver(() => {
      const meta = document.getElementById('vscode-workbench-web-configuration');
      if (!meta) return;
      observer.disconnect();
      const config = JSON.parse(meta.getAttribute('data-settings'));
      config.webviewEndpoint = `http://{{uuid}}.localhost:${port}${new URL(config.webviewEndpoint, location.href).pathname}`;
      meta.setAttribute('data-settings', JSON.stringify(config));
    });
    observer.observe(document, { childList: true, subtree: true });
  }, port);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Page.enable');
  await cdp.send('Page.setBypassCSP', { enabled: true });
}

/** Chromium's renderer processes (pids). */
export async function rendererPids(browser) {
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  await cdp.detach();
  return processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
}

/** CPU time of a process so far, in clock ticks (utime + stime). */
function cpuTicks(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

/**
 * The renderer process that runs `spin` (a function that keeps a frame's thread busy for `ms`):
 * the one whose CPU time grew the most meanwhile. Returns its pid and every renderer's growth in ms.
 */
export async function processRunning(browser, spin, ms = 600) {
  const pids = await rendererPids(browser);
  const before = new Map(pids.map((p) => [p, cpuTicks(p)]));
  await spin(ms);
  const grew = pids.map((pid) => ({ pid, ms: (cpuTicks(pid) - before.get(pid)) * 10 })).sort((a, b) => b.ms - a.ms);
  return { pid: grew[0].pid, grew };
}

/** A function for processRunning: a busy loop in the frame of `locator`. */
export const spinIn = (locator) => (ms) =>
  locator.evaluate((_el, ms) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      /* busy */
    }
  }, ms);

/** A full garbage collection in the frame's renderer (its own CDP target when it is out of process). */
export async function collectGarbage(context, pageOrFrame) {
  const cdp = await context.newCDPSession(pageOrFrame);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.detach();
}

/** The URLs of the frames Chromium runs out of their parent's process (CDP targets of type 'iframe'). */
export async function outOfProcessFrames(browser) {
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  await cdp.detach();
  return targetInfos.filter((t) => t.type === 'iframe').map((t) => t.url);
}
