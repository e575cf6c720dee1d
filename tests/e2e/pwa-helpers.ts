/**
 * e2e plumbing for the installed, offline app: wait until the service worker controls the page
 * with everything precached, check installability with Chromium's own rules (DevTools protocol),
 * collect Content-Security-Policy violations, and the Profile → neighbours → Media flow that must
 * keep working offline and from a sub-path.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { waitForRow } from './helpers';

/**
 * Waits until a service worker controls the page and the app says it works offline: its precache
 * (29 files; Workbox activates only after it) is complete and the 14.5 MB bundled snapshot is
 * kept in Cache Storage (the app's own copy, src/db/snapshot-offline-copy.ts).
 */
export async function waitForOfflineReady(page: Page, timeoutMs = 120_000): Promise<{ scope: string; cacheEntries: number }> {
  await page.locator('[data-testid="offline-status"][data-offline-ready="true"]').waitFor({ state: 'attached', timeout: timeoutMs });
  return page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) throw new Error('the app says it works offline, but no service worker controls the page');
    let cacheEntries = 0;
    for (const name of await caches.keys()) cacheEntries += (await (await caches.open(name)).keys()).length;
    return { scope: reg.scope, cacheEntries };
  });
}

/** The keys of the bundled snapshot's offline copies (its URL with the build's revision; src/db/snapshot-offline-copy.ts). */
export function offlineSnapshotCopies(page: Page): Promise<string[]> {
  return page.evaluate(async () => (await (await caches.open('mediaforge-snapshot')).keys()).map((r) => r.url));
}

/** Chromium's installability errors for the page (empty: it can be installed). */
export async function installabilityErrors(context: BrowserContext, page: Page): Promise<string[]> {
  const cdp = await context.newCDPSession(page);
  try {
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    return installabilityErrors.map((e) => e.errorId);
  } finally {
    await cdp.detach();
  }
}

/** Installs a `securitypolicyviolation` recorder in every page of the context, before any app code. */
export async function recordCspViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`.trim());
    });
  });
}

export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? ['no CSP recorder in this page']);
}

export interface GenomeFlowResult {
  neighbours: string[];
  rankedMedia: string[];
}

/** Drops `file`, waits for its 5 nearest genomes, then opens its ranked media on the Media tab. */
export async function profileNeighboursAndMedia(page: Page, path: string, file: string): Promise<GenomeFlowResult> {
  await page.locator('header nav').getByRole('button', { name: 'Profile' }).click();
  await page.getByTestId('fasta-input').setInputFiles(path);
  expect(await waitForRow(page, file, ['done', 'error', 'cancelled'])).toBe('done');
  const panel = page.locator(`[data-testid="neighbors-panel"][data-file="${file}"]`);
  await panel.and(page.locator('[data-status="done"], [data-status="error"], [data-status="no-model"]')).waitFor({ timeout: 120_000 });
  expect(await panel.getAttribute('data-status'), (await panel.textContent()) ?? '').toBe('done');
  const neighbours = await panel.getByTestId('neighbor-row').evaluateAll((rows) => rows.map((r) => r.querySelector('td:nth-child(2)')?.textContent?.trim() ?? ''));
  await page.locator(`[data-testid="profile-row"][data-file="${file}"] [data-testid="open-media"]`).click();
  const media = page.getByTestId('media-panel');
  await page.locator('[data-testid="media-panel"][data-status="ready"], [data-testid="media-panel"][data-status="error"]').waitFor({ timeout: 180_000 });
  if ((await media.getAttribute('data-status')) !== 'ready') throw new Error(`Media tab: ${await page.getByTestId('media-error').textContent()}`);
  await page.locator('[data-testid="ranked-media"] [data-testid="medium-row"]').first().waitFor();
  const rankedMedia = await page.locator('[data-testid="ranked-media"] [data-testid="medium-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-medium-id') ?? ''));
  return { neighbours, rankedMedia };
}
