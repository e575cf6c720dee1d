/**
 * Shared e2e plumbing: a static server over the built app (dist/), Debian's Chromium driven by
 * playwright-core (one of each per test file: `useBrowserAndServer`), a long-task recorder, and
 * the CLI as the reference for numbers.
 * Build first: `npm run build` (app in dist/ and CLI in dist-cli/).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { REPO_ROOT } from '../helpers/data';

export const DIST = join(REPO_ROOT, 'dist');
export const SCREENSHOTS = join(REPO_ROOT, 'tests/e2e/screenshots');
const CLI_BIN = join(REPO_ROOT, 'bin/mediaforge.js');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  /** The app's URL: the origin plus the base path (`http://127.0.0.1:PORT/` or `…/mediaforge/`). */
  url: string;
  /** Every request path the server answered, in order (a page served by its service worker adds none). */
  requests: string[];
  /** The body bytes the server sent for each request path, summed (a first visit's transfer). */
  bytesSent: Map<string, number>;
  /** Serves another folder from now on, at the same origin and path (a new version deployed). */
  setRoot(root: string): void;
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** Serve the folder under this path, e.g. '/mediaforge/' (default '/'); anything outside it is a 404. */
  basePath?: string;
  /**
   * Asked before each file is sent, with the request path: a promise it returns holds the response
   * back until it settles (e.g. the bundled snapshot, to cancel an import while it loads).
   */
  beforeResponse?: (urlPath: string) => Promise<void> | undefined;
}

/** Serves dist/ on 127.0.0.1 at a free port (no SPA fallback: a missing file is a 404). */
export async function startStaticServer(root = DIST, options: StaticServerOptions = {}): Promise<StaticServer> {
  const basePath = options.basePath ?? '/';
  if (!basePath.startsWith('/') || !basePath.endsWith('/')) throw new Error(`startStaticServer: basePath '${basePath}' must start and end with '/'`);
  const check = (dir: string) => {
    if (!existsSync(join(dir, 'index.html'))) {
      throw new Error(`${dir}/index.html is missing: build the app first (\`npm run build\` or \`npx vite build\`)`);
    }
    return resolve(dir);
  };
  let rootAbs = check(root);
  const requests: string[] = [];
  const bytesSent = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(urlPath);
    if (!urlPath.startsWith(basePath)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const path = `/${urlPath.slice(basePath.length)}`;
    const file = normalize(join(rootAbs, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(rootAbs + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const send = () => {
      const body = readFileSync(file);
      bytesSent.set(urlPath, (bytesSent.get(urlPath) ?? 0) + body.length);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    };
    const held = options.beforeResponse?.(urlPath);
    if (held) void held.then(send, send);
    else send();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    requests,
    bytesSent,
    setRoot: (dir) => void (rootAbs = check(dir)),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** How the tests start Debian's Chromium (never a downloaded one). */
export const CHROMIUM_LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'],
};

export function launchBrowser(): Promise<Browser> {
  return chromium.launch(CHROMIUM_LAUNCH);
}

/** The Chromium of a test file, started by `useBrowser`'s beforeAll. */
export interface SharedBrowser {
  /** Throws when read before that beforeAll ran (at the top level of the file, outside a test or hook). */
  readonly browser: Browser;
}

/**
 * Registers the hooks of a test file that drives one Chromium: launched in beforeAll, closed in
 * afterAll, shared by every test of the file (a launch and a close take 0.6–1 s on a 2-core
 * machine; a new context, far less).
 */
export function useBrowser(): SharedBrowser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      return started(browser, 'the browser');
    },
  };
}

export interface BrowserAndServerOptions extends StaticServerOptions {
  /**
   * The folder to serve (default dist/), or a function that gives it, called in beforeAll (e.g.
   * `rootWithModel` from vae-helpers, which may build a test snapshot first).
   */
  root?: string | (() => Promise<string>);
}

/** The Chromium and the static server of a test file, started by `useBrowserAndServer`'s beforeAll. */
export interface BrowserAndServer extends SharedBrowser {
  readonly server: StaticServer;
  /** The folder the server serves (options.root, resolved). */
  readonly root: string;
  /** `openApp(browser, server.url, options)`: a fresh context on the app. */
  open(options?: PageOptions): ReturnType<typeof openApp>;
}

/**
 * Registers the hooks of a test file that drives one Chromium against the built app: the static
 * server and the browser start in beforeAll and close in afterAll, once for all the file's tests
 * (each test opens its own context). A beforeAll the file registers after this call runs after
 * they started; an afterAll it registers after this call runs before they close.
 */
export function useBrowserAndServer(options: BrowserAndServerOptions = {}): BrowserAndServer {
  const { root: rootOption = DIST, ...serverOptions } = options;
  let root: string | undefined;
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    root = typeof rootOption === 'function' ? await rootOption() : rootOption;
    server = await startStaticServer(root, serverOptions);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get browser() {
      return started(browser, 'the browser');
    },
    get server() {
      return started(server, 'the static server');
    },
    get root() {
      return started(root, 'the served folder');
    },
    open: (pageOptions) => openApp(started(browser, 'the browser'), started(server, 'the static server').url, pageOptions),
  };
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not started yet: read it in a test or a hook that runs after the beforeAll of useBrowser/useBrowserAndServer`);
  return value;
}

export interface PageOptions {
  /** Pretend the machine has this many cores (the pool uses cores − 1 workers). */
  hardwareConcurrency?: number;
  /**
   * The app's service worker (offline cache, update prompt). Blocked by default, so a test sees
   * every request on the network and its page.route() handlers see the workers' fetches too (a
   * service worker would answer them from its cache); the PWA tests (pwa-*.test.ts,
   * sub-path, no-external-requests) allow it.
   */
  serviceWorkers?: 'allow' | 'block';
  /** Runs on the new context before the app opens (e.g. another init script). */
  beforeGoto?: (context: BrowserContext) => Promise<void>;
}

/** A fresh context (no shared storage) with a long-task recorder installed before any app code runs. */
export async function openApp(browser: Browser, url: string, options: PageOptions = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 1000 }, deviceScaleFactor: 1, serviceWorkers: options.serviceWorkers ?? 'block' });
  await context.addInitScript(() => {
    const w = window as unknown as { __longTasks: LongTask[]; __frames: string[] };
    w.__longTasks = [];
    w.__frames = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ startTime: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    // Long animation frames say which scripts ran in a slow frame (for failure messages).
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as (PerformanceEntry & { blockingDuration: number; scripts: { invoker: string; duration: number; sourceURL: string }[] })[]) {
          const scripts = e.scripts.map((x) => `${x.invoker} ${Math.round(x.duration)} ms (${x.sourceURL.split('/').pop()})`).join('; ');
          w.__frames.push(`frame at ${Math.round(e.startTime)} ms: ${Math.round(e.duration)} ms, blocking ${Math.round(e.blockingDuration)} ms: ${scripts}`);
        }
      }).observe({ type: 'long-animation-frame' });
    } catch {
      /* not supported: no attribution */
    }
  });
  if (options.hardwareConcurrency) {
    await context.addInitScript((n: number) => {
      Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n, configurable: true });
    }, options.hardwareConcurrency);
  }
  await options.beforeGoto?.(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  await page.goto(url);
  await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
  // Playwright compiles its injected helper scripts in the page on first use (30+ ms tasks):
  // do that now, so those tasks are not counted as the app's long tasks later.
  await page.waitForFunction(() => document.readyState === 'complete');
  await page.locator('body').count();
  await page.getByTestId('profile-table').count();
  return { context, page, errors };
}

/** The page clock, to mark when a measured phase starts. */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

export interface LongTask {
  startTime: number;
  duration: number;
}

/** Long main-thread tasks (> 50 ms, as Chromium reports them) that started at or after `sinceMs`. */
export async function longTasksSince(page: Page, sinceMs: number): Promise<LongTask[]> {
  const all = await page.evaluate(() => (window as unknown as { __longTasks: LongTask[] }).__longTasks);
  return all.filter((t) => t.startTime >= sinceMs);
}

export interface MeasuredLongTask extends LongTask {
  /** CPU time the main thread really spent in this task (from a Chromium trace); undefined if not found. */
  cpuMs?: number;
}

/**
 * Runs `fn` while recording (a) the page's own 'longtask' entries (wall time, > 50 ms) and
 * (b) a Chromium trace, which gives each main-thread task's CPU time. On a busy machine the OS
 * can pause the main thread inside a short task and stretch it past 50 ms of wall time; the CPU
 * time tells whether the app itself blocked the thread.
 */
export async function measureMainThread<T>(browser: Browser, page: Page, fn: () => Promise<T>): Promise<{ result: T; longTasks: MeasuredLongTask[]; slowFrames: string[] }> {
  await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
  const t0 = await page.evaluate(() => performance.mark('mf-measure-start').startTime);
  let result: T;
  try {
    result = await fn();
  } finally {
    await page.evaluate(() => performance.mark('mf-measure-end'));
  }
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
  const longTasks = await longTasksSince(page, t0);
  const slowFrames = await slowFramesSince(page, t0);
  const mark = trace.traceEvents.find((e) => e.name === 'mf-measure-start');
  if (!mark) throw new Error('the trace has no mf-measure-start mark: cannot relate it to the page clock');
  const originUs = mark.ts - t0 * 1000; // trace µs of performance.now() = 0
  const mainTasks = trace.traceEvents.filter((e) => e.pid === mark.pid && e.tid === mark.tid && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask');
  const measured = longTasks.map((t) => {
    const start = originUs + t.startTime * 1000;
    const end = start + t.duration * 1000;
    let best: TraceEvent | undefined;
    let bestOverlap = 0;
    for (const e of mainTasks) {
      const overlap = Math.min(end, e.ts + (e.dur ?? 0)) - Math.max(start, e.ts);
      if (overlap > bestOverlap) [best, bestOverlap] = [e, overlap];
    }
    // Only trust a trace task that covers most of the long task.
    const found = best?.tdur !== undefined && bestOverlap >= 0.5 * (end - start);
    return { ...t, cpuMs: found ? best!.tdur! / 1000 : undefined };
  });
  return { result: result!, longTasks: measured, slowFrames };
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
}

/** One line for a log: "3 long tasks (wall 52–71 ms, CPU 9–14 ms)". */
export function describeLongTasks(tasks: MeasuredLongTask[]): string {
  if (tasks.length === 0) return 'no long tasks';
  const wall = tasks.map((t) => Math.round(t.duration));
  const cpu = tasks.map((t) => (t.cpuMs === undefined ? NaN : Math.round(t.cpuMs)));
  return `${tasks.length} long task(s): wall ${Math.min(...wall)}–${Math.max(...wall)} ms, main-thread CPU ${Math.min(...cpu)}–${Math.max(...cpu)} ms`;
}

/** Long animation frames (> 50 ms) since `sinceMs`, with the scripts that ran in them: print these when a long-task check fails. */
export async function slowFramesSince(page: Page, sinceMs: number): Promise<string[]> {
  const all = await page.evaluate(() => (window as unknown as { __frames: string[] }).__frames);
  return all.filter((f) => Number(/at (\d+) ms/.exec(f)?.[1]) >= sinceMs - 1);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface CliProfileJson {
  format: string;
  files: {
    file: string;
    fileBytes: number;
    gzip: boolean;
    records: number;
    lengthBp: number;
    acgtBp: number;
    gcBp: number;
    nBp: number;
    otherBp: number;
    gcFraction: number | null;
    nFraction: number;
    elapsedMs: number;
    counts: number[];
  }[];
}

function cli(args: string[], cwd: string): string {
  if (!existsSync(join(REPO_ROOT, 'dist-cli/mediaforge.js'))) {
    throw new Error('dist-cli/mediaforge.js is missing: build the CLI first (`npm run build` or `npm run build:cli`)');
  }
  const r = spawnSync(process.execPath, [CLI_BIN, 'profile', ...args, '--quiet'], { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`mediaforge profile ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** `mediaforge profile FILE... --format json`, run in `cwd` so file names match the browser's. */
export function cliProfileJson(files: string[], cwd: string): CliProfileJson {
  return JSON.parse(cli([...files, '--format', 'json'], cwd)) as CliProfileJson;
}

export function cliProfileTsv(files: string[], cwd: string): string {
  return cli([...files, '--format', 'tsv'], cwd);
}

/** Clicks a download button and returns the saved file's text and suggested name. */
export async function download(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

/** Waits until the row of `file` has one of `statuses`. */
export async function waitForRow(page: Page, file: string, statuses: string[], timeoutMs = 120_000): Promise<string> {
  const handle = await page.waitForFunction(
    ([f, s]) => {
      const row = [...document.querySelectorAll<HTMLElement>('[data-testid="profile-table"] [data-testid="profile-row"]')].find((r) => r.dataset.file === f);
      return row && (s as string[]).includes(row.dataset.status ?? '') ? row.dataset.status : false;
    },
    [file, statuses] as const,
    { timeout: timeoutMs, polling: 100 },
  );
  return (await handle.jsonValue()) as string;
}

/** The row of one file in the results table. */
export function row(page: Page, file: string) {
  return page.locator(`[data-testid="profile-table"] [data-testid="profile-row"][data-file="${file}"]`);
}

/** Numeric data-value of a cell in a file's row. */
export async function cellValue(page: Page, file: string, cell: string): Promise<number> {
  const v = await row(page, file).getByTestId(cell).getAttribute('data-value');
  if (v === null) throw new Error(`${file}: cell ${cell} has no data-value`);
  return Number(v);
}

export type Failure = 'throw' | 'close' | 'hang';

/**
 * Makes the first worker whose URL contains `name` fail on its next task (so evaluate returns
 * first), or, with `onCall`, on the task after the page's next call of that method reaches it
 * (the call is then in flight: Comlink has started it).
 */
export async function failWorker(page: Page, name: string, how: Failure, onCall?: string): Promise<void> {
  const worker = page.workers().find((w) => w.url().includes(name));
  if (!worker) throw new Error(`no ${name} worker: ${page.workers().map((w) => w.url()).join(', ')}`);
  await worker.evaluate(
    ([h, method]) => {
      const fail = () =>
        setTimeout(() => {
          if (h === 'throw') throw new Error('simulated crash');
          if (h === 'close') self.close();
          else for (;;) {
            /* stuck: no heartbeat, no reply, no error */
          }
        }, 0);
      if (!method) return void fail();
      const onMessage = (ev: MessageEvent) => {
        const path = (ev.data as { path?: unknown } | null)?.path;
        if (Array.isArray(path) && path[0] === method) {
          self.removeEventListener('message', onMessage);
          fail();
        }
      };
      self.addEventListener('message', onMessage);
    },
    [how, onCall ?? null] as const,
  );
}
