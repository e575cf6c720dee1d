/**
 * The isolate of the workspace-sharing tests and how they read what the app says about it: its
 * neighbours (Profile tab), its ranked media and its lab outcomes (Media tab).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { fixture } from '../helpers/data';
import { section, showDatabase } from './db-helpers';
import { waitForRow } from './helpers';

/** An isolate no database holds: the first ~300 kbp of M. genitalium G37 (its own content hash). */
export const GENOME = 'my-isolate.fa';
const dir = mkdtempSync(join(tmpdir(), 'mf-workspace-'));
const mg = gunzipSync(readFileSync(fixture('mycoplasma-genitalium-g37.fa.gz'))).toString('utf8').trimEnd().split('\n');
writeFileSync(join(dir, GENOME), `>isolate_7 my unknown isolate\n${mg.slice(1, 4300).join('\n')}\n`);

export const nav = (page: Page, tab: string) => page.locator('header nav').getByRole('button', { name: tab }).click();

/** Drops the isolate on the Profile page and returns its neighbours (every cell's text). */
export async function profileAndNeighbours(page: Page): Promise<string[][]> {
  await nav(page, 'Profile');
  await page.getByTestId('fasta-input').setInputFiles(join(dir, GENOME));
  expect(await waitForRow(page, GENOME, ['done', 'error', 'cancelled'])).toBe('done');
  const panel = page.locator(`[data-testid="neighbors-panel"][data-file="${GENOME}"]`);
  await panel.and(page.locator('[data-status="done"], [data-status="error"], [data-status="no-model"]')).waitFor({ timeout: 120_000 });
  expect(await panel.getAttribute('data-status'), (await panel.textContent()) ?? '').toBe('done');
  return panel.getByTestId('neighbor-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-genome-id') ?? '', ...[...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')]));
}

/** Opens the isolate on the Media tab and returns its ranked media (id, rank, outcome, score text). */
export async function rankedMedia(page: Page): Promise<string[]> {
  await page.locator(`[data-testid="profile-row"][data-file="${GENOME}"] [data-testid="open-media"]`).click();
  await page.locator('[data-testid="media-panel"][data-status="ready"], [data-testid="media-panel"][data-status="error"]').waitFor({ timeout: 180_000 });
  expect(await page.getByTestId('media-panel').getAttribute('data-status')).toBe('ready');
  await page.locator('[data-testid="medium-row"]').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid="ranking-busy"]'), null, { timeout: 60_000 });
  return page.locator('[data-testid="ranked-media"] [data-testid="medium-row"]').evaluateAll((rows) =>
    rows.map((r) => `${r.getAttribute('data-medium-id')}|${r.getAttribute('data-rank')}|${r.getAttribute('data-outcome') ?? ''}|${r.textContent?.replace(/\s+/g, ' ').trim()}`),
  );
}

export async function labOutcomes(page: Page): Promise<string[]> {
  return page.locator('[data-testid="lab-outcomes"] [data-testid="lab-outcome"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-medium-id')}|${e.textContent?.replace(/\s+/g, ' ').trim()}`));
}


/** Adds the profiled isolate to the database with a species (linked to BacDive strains, growth propagated); returns its genome id. */
export async function addIsolateToDatabase(page: Page): Promise<number> {
  await showDatabase(page);
  await section(page, 'genomes');
  const addRow = page.locator(`[data-testid="add-profiled-row"][data-file="${GENOME}"]`);
  await addRow.getByTestId('add-species').fill('Mycoplasma genitalium');
  await addRow.getByTestId('add-type').selectOption('bacteria');
  await page.getByTestId('add-profiled').click();
  await page.getByTestId('add-profiled-result').waitFor({ timeout: 60_000 });
  const text = (await page.getByTestId('add-profiled-result').textContent())!.replace(/\s+/g, ' ');
  const added = new RegExp(`${GENOME}: added as genome (\\d+); linked at (strain|species) level`).exec(text);
  expect(added, text).not.toBeNull();
  return Number(added![1]);
}
