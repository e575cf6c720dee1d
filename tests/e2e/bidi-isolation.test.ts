/**
 * Bidirectional controls in untrusted names cannot reorder the text around them (issue 11
 * follow-up). A U+202E RIGHT-TO-LEFT OVERRIDE in a file name or FASTA header was shown as text but
 * reversed what followed it on the same line ("evil\u202Eanf.exe" reads "evilexe.fna", and the
 * rest of the line after it ran backwards). Now each untrusted string sits in its own <bdi>
 * (src/ui/components/Isolated.svelte). In Chromium, a file whose name and headers hold U+202E is
 * profiled and shown on the Profile, Media and Database tabs; at each place the text that follows
 * the name on the same line is measured (Range.getBoundingClientRect) and must start to the right
 * of the name. A control copy of the same text without the isolate, on the same page, is measured
 * the same way and is reordered: the measurement can fail.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { randomFasta, section, showDatabase, viewportScreenshot } from './db-helpers';
import { download, screenshot, useBrowserAndServer, waitForRow } from './helpers';
import { rootWithModel } from './vae-helpers';

const RLO = '\u202E';
const NAME = `evil${RLO}anf.exe`;
const RECORD_ID = `${RLO}rec-one`;
const SPECIES = `Bacillus ${RLO}sudolusni`;
/** Two records with the same id (a warning that quotes it), 30 kbp each. */
function fasta(): Buffer {
  const body = (seed: number) => randomFasta('x', 30_000, seed).split('\n').slice(1).join('\n');
  return Buffer.from(`>${RECORD_ID} first\n${body(3)}>${RECORD_ID} again\n${body(4)}`, 'utf8');
}

const app = useBrowserAndServer({ root: rootWithModel });

interface Order {
  /** The isolate's text. */
  isolated: string;
  /** The first characters after it on its line. */
  after: string;
  /** Their left edge is at or right of the isolate's right edge. */
  inOrder: boolean;
  sameLine: boolean;
  unicodeBidi: string;
}

/**
 * For the first <bdi> inside the element matched by `selector` (compared in the page: names are
 * not CSS-safe), whose text is `isolated`: where the next non-blank text after it sits.
 */
async function orderAfter(page: Page, selector: string, isolated: string): Promise<Order> {
  return page.evaluate(
    ([sel, want]) => {
      const bdi = [...document.querySelectorAll(`${sel} bdi`)].find((b) => b.textContent === want);
      if (!bdi) throw new Error(`no <bdi> with ${JSON.stringify(want)} in ${sel}`);
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      walker.currentNode = bdi;
      let next: Text | null = null;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!bdi.contains(n) && n.textContent!.trim()) {
          next = n as Text;
          break;
        }
      }
      if (!next) throw new Error(`nothing follows ${JSON.stringify(want)}`);
      const start = next.textContent!.search(/\S/);
      const after = document.createRange();
      after.setStart(next, start);
      after.setEnd(next, Math.min(next.length, start + 4));
      const inside = document.createRange();
      inside.selectNodeContents(bdi);
      const a = inside.getBoundingClientRect();
      const b = after.getBoundingClientRect();
      return { isolated: bdi.textContent!, after: after.toString(), inOrder: b.left >= a.right - 0.5, sameLine: Math.abs(a.top - b.top) < 4, unicodeBidi: getComputedStyle(bdi).unicodeBidi };
    },
    [selector, isolated] as const,
  );
}

/**
 * The control: `before + untrusted + after` as one plain text node (no isolate) appended to the
 * element matched by `selector`; the same measurement of `after` against the untrusted part.
 */
async function controlOrder(page: Page, selector: string, untrusted: string, after: string): Promise<{ inOrder: boolean }> {
  return page.evaluate(
    ([sel, u, tail]) => {
      const host = document.querySelector(sel)!;
      const span = document.createElement('span');
      span.dataset.control = 'unisolated';
      span.textContent = `${u}${tail}`;
      host.append(span);
      const text = span.firstChild as Text;
      const inside = document.createRange();
      inside.setStart(text, 0);
      inside.setEnd(text, u.length);
      const rest = document.createRange();
      const start = u.length + tail.search(/\S/);
      rest.setStart(text, start);
      rest.setEnd(text, start + 4);
      const a = inside.getBoundingClientRect();
      const b = rest.getBoundingClientRect();
      const inOrder = b.left >= a.right - 0.5;
      span.remove();
      return { inOrder };
    },
    [selector, untrusted, after] as const,
  );
}

describe('bidi controls in untrusted names', () => {
  it('a file name, a record id and a species with U+202E do not reorder the text after them', async () => {
    const { context, page, errors } = await app.open();
    await page.getByTestId('fasta-input').setInputFiles({ name: NAME, mimeType: 'text/plain', buffer: fasta() });
    expect(await waitForRow(page, NAME, ['done', 'error', 'cancelled'])).toBe('done');
    const rowSel = '[data-testid="profile-row"]';

    // The name is shown as it is (same text), in an isolate.
    const nameText = await page.evaluate(() => document.querySelector('[data-testid="profile-row"] .name')?.textContent);
    expect(nameText).toBe(NAME);
    const nameBdi = await page.evaluate(() => {
      const b = document.querySelector('[data-testid="profile-row"] .name bdi')!;
      return { text: b.textContent, unicodeBidi: getComputedStyle(b).unicodeBidi, direction: getComputedStyle(b).direction, marker: getComputedStyle(b, '::before').content, title: b.getAttribute('title') };
    });
    // Inside its isolate the name still reads reordered, so it is marked and its title spells the control out.
    expect(nameBdi).toEqual({ text: NAME, unicodeBidi: 'isolate', direction: 'ltr', marker: '"⇆\u00a0"', title: 'Contains text-direction control characters: evil<U+202E>anf.exe' });
    // A name without controls gets no marker.
    expect(await page.evaluate(() => [...document.querySelectorAll('bdi:not([data-bidi-controls])')].map((b) => getComputedStyle(b, '::before').content))).not.toContain('"⇆\u00a0"');

    // The duplicate-id warning quotes the record id: what follows the id stays after it.
    const warning = await page.evaluate(() => document.querySelector('[data-testid="profile-row"] [data-testid="cell-warning"]')?.textContent);
    expect(warning).toContain(`first '${RECORD_ID}'`);
    const inWarning = await orderAfter(page, `${rowSel} [data-testid="cell-warning"]`, RECORD_ID);
    console.log(`[e2e] warning: ${JSON.stringify(inWarning)}`);
    expect(inWarning).toMatchObject({ isolated: RECORD_ID, inOrder: true, sameLine: true, unicodeBidi: 'isolate' });
    expect(inWarning.after.startsWith("'")).toBe(true);
    // Control: the same text without the isolate is reordered (the override runs to the line's end).
    const control = await controlOrder(page, `${rowSel} [data-testid="cell-warning"]`, `first '${RECORD_ID}`, "' (records 1 and 2)");
    expect(control.inOrder).toBe(false);
    await screenshot(page, 'bidi-profile-row');

    // Downloads: the file name drops the control; the JSON escapes it and parses back to the name.
    const tsv = await download(page, 'download-tsv');
    expect(tsv.name).toBe('evilanf.exe.kmers.tsv');
    const json = await download(page, 'download-json');
    expect(json.name).toBe('evilanf.exe.kmers.json');
    expect(json.text).toContain('"file":"evil\\u202eanf.exe"');
    expect(json.text).not.toContain(RLO);
    expect(JSON.parse(json.text).files[0].file).toBe(NAME);

    // Media tab: "for <name> · 60.0 kbp · GC …" keeps its order.
    await page.getByTestId('open-media').click();
    await page.getByTestId('media-genome').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('media-genome').textContent()).toBe(NAME);
    const onMedia = await orderAfter(page, '[data-testid="media-genome"]', NAME);
    console.log(`[e2e] media tab: ${JSON.stringify(onMedia)}`);
    expect(onMedia).toMatchObject({ inOrder: true, sameLine: true, unicodeBidi: 'isolate' });
    expect(onMedia.after.startsWith('·')).toBe(true);
    expect((await controlOrder(page, '[data-testid="media-genome"]', NAME, ' · 60.0 kbp')).inOrder).toBe(false);
    await screenshot(page, 'bidi-media');

    // Database tab: the file in the add list, the "<name>: added as genome …" message, and the
    // species in the genome list.
    await showDatabase(page);
    await section(page, 'genomes');
    const addRow = page.getByTestId('add-profiled-row');
    expect(await addRow.locator('td.file').textContent()).toBe(NAME);
    await addRow.getByTestId('add-species').fill(SPECIES);
    await addRow.getByTestId('add-strain').fill('DSM-B1');
    await addRow.getByTestId('add-type').selectOption('bacteria');
    await page.getByTestId('add-profiled').click();
    const result = page.getByTestId('add-profiled-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toContain(`${NAME}: added as genome`);
    const inResult = await orderAfter(page, '[data-testid="add-profiled-result"]', NAME);
    console.log(`[e2e] add result: ${JSON.stringify(inResult)}`);
    expect(inResult).toMatchObject({ inOrder: true, sameLine: true });
    expect(inResult.after.startsWith(':')).toBe(true);
    expect((await controlOrder(page, '[data-testid="add-profiled-result"]', NAME, ': added as genome')).inOrder).toBe(false);
    const mine = page.locator('[data-testid="genome-row"][data-origin="user"]');
    await mine.waitFor({ timeout: 30_000 });
    expect(await mine.locator('.name').textContent()).toContain(SPECIES);
    const bdis = await mine.locator('.name bdi').evaluateAll((els) => els.map((e) => ({ text: e.textContent, unicodeBidi: getComputedStyle(e).unicodeBidi })));
    expect(bdis).toHaveLength(1);
    expect(bdis[0].text).toContain(SPECIES);
    expect(bdis[0].unicodeBidi).toBe('isolate');
    await mine.scrollIntoViewIfNeeded();
    await viewportScreenshot(page, 'bidi-genome-list');
    expect(errors).toEqual([]);
    await context.close();
  });
});
