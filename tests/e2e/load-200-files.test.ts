/**
 * Load (issue 11, part 7): 200 files dropped at once, good and bad mixed. Every good file is
 * profiled with the CLI's numbers, every bad file gets its own error row with the right code, and
 * the main thread never runs a task of 50 ms of CPU or more while the 200 files are profiled and
 * their rows, plots and neighbour panels fill in. The files are generated here (not committed).
 *
 * What is measured: Chromium's 'longtask' entries (main-thread tasks of ≥ 50 ms wall time, the
 * page's `__longTasks` recorder from openApp) from the drop until every row has settled and every
 * neighbour panel has its result; and, for each of them, the main thread's CPU time within that
 * task's time window, from a Chromium trace: the thread time (tdur) of every main-thread task in
 * the window, pro rata to its overlap. That is at least the CPU time of the long task itself, and
 * it is defined even when the trace has no single task that lines up with the entry (which
 * happens on a loaded machine). The check is on that CPU time: on a 2-core machine shared with
 * the workers (and other processes), the OS can stretch a short task far past 50 ms of wall time.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProfileJson, download, longTasksSince, SCREENSHOTS, slowFramesSince, type CliProfileJson, type LongTask, useBrowserAndServer } from './helpers';
import { makeTempDir } from './synthetic';

const GOOD_FILES = 170;

/** xorshift32 stream, so the same index always gives the same bytes. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** A genome-like FASTA of 1–4 records, 300 bp to ~60 kbp in all; some lowercase, some N runs, some CRLF. */
function goodFasta(i: number): string {
  const next = rng(1000 + i);
  const records = 1 + (i % 4);
  const totalBp = 300 + (next() % 60_000);
  const eol = i % 7 === 0 ? '\r\n' : '\n';
  let out = '';
  for (let r = 0; r < records; r++) {
    let seq = '';
    const len = Math.max(20, Math.floor(totalBp / records));
    for (let k = 0; k < len; k++) seq += 'ACGT'[next() & 3];
    if (i % 5 === 0) seq = seq.toLowerCase();
    if (i % 6 === 0) seq = seq.slice(0, len >> 1) + 'N'.repeat(30) + seq.slice((len >> 1) + 30);
    out += `>g${i}_r${r} synthetic genome ${i}${eol}`;
    for (let k = 0; k < seq.length; k += 70) out += seq.slice(k, k + 70) + eol;
  }
  return out;
}

/** The 30 bad files: each kind five times, with the code the app must show. */
function badFiles(): { name: string; bytes: Buffer; code: string }[] {
  const kinds: [string, (j: number) => Buffer, string][] = [
    ['empty.fa', () => Buffer.alloc(0), 'FILE_EMPTY'],
    ['binary.fa', (j) => Buffer.from(Array.from({ length: 4096 }, (_, k) => (k * 37 + j * 11) & 0xff)), 'FASTA_BINARY'],
    ['truncated.fa.gz', (j) => gzipSync(goodFasta(900 + j)).subarray(0, 600), 'GZIP_TRUNCATED'],
    ['reads.fq', (j) => Buffer.from(`@read${j}\nACGTACGTAC\n+\nIIIIIIIIII\n@read${j}b\nGGGTTTACGA\n+\nIIIIIIIIII\n`), 'FASTA_IS_FASTQ'],
    ['all-n.fa', (j) => Buffer.from(`>scaffold${j}\n${'N'.repeat(500 + j)}\n`), 'FASTA_NO_SEQUENCE'],
    ['protein.faa', (j) => Buffer.from(`>prot${j}\nMKVLILACLVALALARELEELNVPGEIVESLSSSEESITRINKKIEKFQSEEQQQTEDELQDKIHPF\n`), 'FASTA_IS_PROTEIN'],
  ];
  const out: { name: string; bytes: Buffer; code: string }[] = [];
  for (let j = 0; j < 5; j++) for (const [suffix, make, code] of kinds) out.push({ name: `bad-${j}-${suffix}`, bytes: make(j), code });
  return out;
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

/** A long task with the main thread's CPU time (ms) within its time window, from the trace. */
interface LongTaskCpu extends LongTask {
  cpuMs: number;
}

/** Runs `fn` under a Chromium trace; the long tasks it caused, each with the main-thread CPU in its window. */
async function longTasksWithCpu(browser: Browser, page: Page, fn: () => Promise<void>): Promise<{ tasks: LongTaskCpu[]; slowFrames: string[] }> {
  await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
  const t0 = await page.evaluate(() => performance.mark('mf-load-start').startTime);
  try {
    await fn();
  } finally {
    await page.evaluate(() => performance.mark('mf-load-end'));
  }
  const trace = (JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const mark = trace.find((e) => e.name === 'mf-load-start');
  if (!mark) throw new Error('the trace has no mf-load-start mark: cannot relate it to the page clock');
  const originUs = mark.ts - t0 * 1000; // trace µs of performance.now() = 0
  const mainTasks = trace.filter((e) => e.pid === mark.pid && e.tid === mark.tid && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && e.dur !== undefined && e.tdur !== undefined);
  const tasks = (await longTasksSince(page, t0)).map((t) => {
    const start = originUs + t.startTime * 1000;
    const end = start + t.duration * 1000;
    let cpuUs = 0;
    for (const e of mainTasks) {
      const overlap = Math.min(end, e.ts + e.dur!) - Math.max(start, e.ts);
      if (overlap > 0) cpuUs += e.dur! > 0 ? (e.tdur! * overlap) / e.dur! : 0;
    }
    return { ...t, cpuMs: cpuUs / 1000 };
  });
  return { tasks, slowFrames: await slowFramesSince(page, t0) };
}

const app = useBrowserAndServer();
let dir: string;
let good: string[];
let bad: { name: string; code: string }[];
let cli: Map<string, CliProfileJson['files'][number]>;

beforeAll(async () => {
  dir = makeTempDir('mf-load-');
  mkdirSync(dir, { recursive: true });
  good = [];
  for (let i = 0; i < GOOD_FILES; i++) {
    const text = goodFasta(i);
    const name = i % 2 === 0 ? `genome-${String(i).padStart(3, '0')}.fa.gz` : `genome-${String(i).padStart(3, '0')}.fna`;
    writeFileSync(join(dir, name), name.endsWith('.gz') ? gzipSync(text) : text);
    good.push(name);
  }
  bad = badFiles().map((f) => {
    writeFileSync(join(dir, f.name), f.bytes);
    return { name: f.name, code: f.code };
  });
  cli = new Map(cliProfileJson(good, dir).files.map((f) => [f.file, f]));
}, 120_000);

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('200 files dropped at once', () => {
  it('profiles every good file with the CLI counts, reports every bad file, and keeps every main-thread task under 50 ms of CPU', async () => {
    const { context, page, errors } = await app.open();
    // Interleave good and bad files, as a folder listing would.
    const all = [...good];
    bad.forEach((b, k) => all.splice(k * 6 + 3, 0, b.name));
    expect(all).toHaveLength(200);
    const started = Date.now();

    const { tasks: longTasks, slowFrames } = await longTasksWithCpu(app.browser, page, async () => {
      await page.getByTestId('fasta-input').setInputFiles(all.map((f) => join(dir, f)));
      // Every row settled, then every neighbour panel (searched once profiling is over) has its answer.
      await page.waitForFunction(
        (n) => {
          const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="profile-row"]')];
          return rows.length === n && rows.every((r) => r.dataset.status === 'done' || r.dataset.status === 'error');
        },
        all.length,
        { timeout: 600_000, polling: 250 },
      );
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('[data-testid="neighbors-panel"]')].every((p) => p.dataset.status !== 'loading'), undefined, {
        timeout: 300_000,
        polling: 250,
      });
    });
    const wallSec = (Date.now() - started) / 1000;

    // Every row, in one read of the DOM.
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[data-testid="profile-row"]')].map((r) => ({
        file: r.dataset.file!,
        status: r.dataset.status!,
        records: r.querySelector<HTMLElement>('[data-testid="cell-records"]')?.dataset.value,
        length: r.querySelector<HTMLElement>('[data-testid="cell-length"]')?.dataset.value,
        gc: r.querySelector<HTMLElement>('[data-testid="cell-gc"]')?.dataset.value,
        code: r.querySelector<HTMLElement>('[data-testid="cell-error"]')?.dataset.code,
        message: r.querySelector<HTMLElement>('[data-testid="cell-error"] strong')?.title,
      })),
    );
    expect(rows.map((r) => r.file)).toEqual(all); // one row per file, in drop order
    const byFile = new Map(rows.map((r) => [r.file, r]));
    for (const f of good) {
      const r = byFile.get(f)!;
      const ref = cli.get(f)!;
      expect({ file: f, status: r.status, records: Number(r.records), lengthBp: Number(r.length), gc: Number(r.gc) }).toEqual({
        file: f,
        status: 'done',
        records: ref.records,
        lengthBp: ref.lengthBp,
        gc: ref.gcFraction,
      });
    }
    for (const b of bad) {
      const r = byFile.get(b.name)!;
      expect({ file: b.name, status: r.status, code: r.code }).toEqual({ file: b.name, status: 'error', code: b.code });
      expect(r.message).toMatch(new RegExp(`^${b.name.replace(/\./g, '\\.')}: \\S.{10,}`)); // names the file and the problem
    }

    // All 2,772 counts of every good file equal the CLI's (the page's JSON download holds all of them).
    const doc = JSON.parse((await download(page, 'download-json')).text) as CliProfileJson;
    expect(doc.files.map((f) => f.file)).toEqual(good);
    for (const f of doc.files) expect({ file: f.file, counts: f.counts }).toEqual({ file: f.file, counts: cli.get(f.file)!.counts });

    // Each good file's neighbour panel answered (with the bundled genome model, or "no model"), none failed.
    const panels = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-testid="neighbors-panel"]')].map((p) => p.dataset.status ?? ''));
    expect(panels).toHaveLength(good.length);
    expect(panels.filter((s) => s !== 'done' && s !== 'no-model')).toEqual([]);

    console.log(`[e2e] 200 files (${good.length} good, ${bad.length} bad) profiled and shown in ${wallSec.toFixed(1)} s; neighbour panels: ${panels.filter((s) => s === 'done').length} done; ${longTasks.length} long task(s), max wall ${Math.round(Math.max(0, ...longTasks.map((t) => t.duration)))} ms, max main-thread CPU in a long task's window ${Math.max(0, ...longTasks.map((t) => t.cpuMs)).toFixed(1)} ms`);
    for (const t of longTasks) console.log(`[e2e]   long task at ${Math.round(t.startTime)} ms: wall ${Math.round(t.duration)} ms, main-thread CPU ${t.cpuMs.toFixed(1)} ms`);
    if (longTasks.length) console.log(slowFrames.join('\n'));
    expect(longTasks.filter((t) => !(t.cpuMs < 50))).toEqual([]);
    expect(errors).toEqual([]);
    // The first screenful (a full-page shot of 200 rows is ~50,000 px tall), then one around bad rows.
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'load-200-files.png') });
    await page.locator(`[data-testid="profile-row"][data-file="${bad[6].name}"]`).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'load-200-files-errors.png') });
    await context.close();
  }, 900_000);
});
