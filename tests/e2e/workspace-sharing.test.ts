/**
 * Workspace sharing in Chromium with the bundled snapshot. Context 1: profile an isolate, add it to
 * the database with a species (linked, embedded), record a lab outcome for it on the Media tab, read its
 * neighbours and ranked media, export the workspace. Context 2 (fresh storage): import the file
 * (preview, merge) and get the same neighbours, the same ranked media and the lab outcome.
 * Context 3: replace with the workspace, cancelled while the reference data loads (nothing changes),
 * then done (same neighbours and media again).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { gunzipSync as gunzipBytes, gzipSync } from 'fflate';
import { loadSqlJs } from '../../src/db/node-files';
import { WORKSPACE_MANIFEST_KEY } from '../../src/db/workspace-file';
import { chooseImportFile, exportSnapshot as exportInPage, importSnapshot, showDatabase } from './db-helpers';
import { screenshot, useBrowserAndServer } from './helpers';
import { addIsolateToDatabase, labOutcomes, nav, profileAndNeighbours, rankedMedia } from './workspace-helpers';

/**
 * Holds the bundled snapshot's responses back from hold() to release() (to cancel an export or an
 * import while the reference data loads); the static server asks it before each response.
 */
function snapshotGate() {
  let held: Promise<void> | null = null;
  let open: () => void = () => undefined;
  return {
    beforeResponse: (path: string) => (held && path.endsWith('mediaforge-snapshot.sqlite.gz') ? held : undefined),
    hold: () => void (held = new Promise<void>((r) => (open = r))),
    release: () => {
      held = null;
      open();
    },
  };
}

const gate = snapshotGate();
const app = useBrowserAndServer({ beforeResponse: gate.beforeResponse });

afterAll(() => gate.release());

let workspace: { name: string; bytes: Uint8Array };
let expected: { neighbours: string[][]; media: string[]; outcomes: string[] };

describe('workspace sharing', () => {
  it('context 1: profile, record a lab outcome, read neighbours and media, export the workspace', async () => {
    const { context, page, errors } = await app.open();
    await profileAndNeighbours(page);
    await addIsolateToDatabase(page);
    await nav(page, 'Profile');
    const before = await rankedMedia(page);
    const mediumId = before[3].split('|')[0];
    await page.locator(`[data-testid="medium-row"][data-medium-id="${mediumId}"] [data-testid="medium-record"]`).click();
    const form = page.getByTestId('lab-outcome-form');
    await form.getByTestId('outcome-grew').check();
    await form.getByTestId('outcome-note').fill('turbid after 3 days, 37 °C');
    await form.getByTestId('outcome-save').click();
    await page.locator(`[data-testid="lab-outcomes"] [data-testid="lab-outcome"][data-medium-id="${mediumId}"]`).waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500); // the save reaches IndexedDB
    // Read neighbours and media with the isolate in the database (a fresh page: nothing cached).
    await page.reload();
    const neighbours = await profileAndNeighbours(page);
    expect(neighbours).toHaveLength(5);
    const media = await rankedMedia(page);
    expect(media[0].split('|').slice(0, 3)).toEqual([mediumId, '1', 'grew']);
    const outcomes = await labOutcomes(page);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toContain('turbid after 3 days, 37 °C');
    expected = { neighbours, media, outcomes };

    await showDatabase(page);
    const t0 = Date.now();
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('workspace-export').click()]);
    workspace = { name: dl.suggestedFilename(), bytes: new Uint8Array(readFileSync(await dl.path())) };
    const exportMs = Date.now() - t0;
    expect(workspace.name).toMatch(/^mediaforge-workspace-\d{4}-\d{2}-\d{2}\.sqlite\.gz$/);
    await page.getByTestId('export-done').waitFor();
    const full = await exportInPage(page);
    console.log(`workspace ${workspace.bytes.length} bytes (export ${exportMs} ms) vs full snapshot ${full.bytes.length} bytes: ${(full.bytes.length / workspace.bytes.length).toFixed(0)}x smaller`);
    expect(workspace.bytes.length * 20).toBeLessThan(full.bytes.length);
    await screenshot(page, 'workspace-export');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('context 2: a fresh browser imports the workspace (preview, merge) and gets the same neighbours, media and lab outcome', async () => {
    const { context, page, errors } = await app.open();
    await showDatabase(page);
    // A workspace written by a newer MediaForge (format version 2) is refused before any preview.
    const SQL = await loadSqlJs();
    const newer = new SQL.Database(gunzipBytes(workspace.bytes));
    const manifest = JSON.parse(String(newer.exec('SELECT value FROM meta WHERE key = ?', [WORKSPACE_MANIFEST_KEY])[0].values[0][0]));
    newer.run('UPDATE meta SET value = ? WHERE key = ?', [JSON.stringify({ ...manifest, formatVersion: 2, appVersion: '2.0.0' }), WORKSPACE_MANIFEST_KEY]);
    const newerBytes = gzipSync(newer.export());
    newer.close();
    expect(await chooseImportFile(page, 'from-2027.sqlite.gz', newerBytes)).toBe('error');
    const refused = page.getByTestId('import-error');
    expect(await refused.getAttribute('data-code')).toBe('DB_TOO_NEW');
    expect(((await refused.textContent()) ?? '').replace(/\s+/g, ' ')).toMatch(
      /from-2027\.sqlite\.gz: workspace format version 2 is newer than this MediaForge understands \(1; written by MediaForge 2\.0\.0\) ?Update MediaForge to import this workspace\. Your database was not changed\./,
    );
    expect(await page.getByTestId('import-preview').count()).toBe(0);

    const merge = page.getByTestId('import-merge');
    if (!(await merge.isChecked())) await merge.click();
    expect(await chooseImportFile(page, workspace.name, workspace.bytes)).toBe('preview');
    const preview = page.getByTestId('import-preview');
    expect(await preview.getAttribute('data-kind')).toBe('workspace');
    const text = ((await preview.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(text).toMatch(/Workspace file: mediaforge-workspace-/);
    expect(text).toMatch(/schema v5 · format v1 · MediaForge \d+\.\d+\.\d+ · created /);
    const count = async (key: string) => Number(((await preview.locator(`[data-count="${key}"] dd`).textContent()) ?? '').replace(/,/g, ''));
    expect(await count('genomes')).toBe(1);
    expect(await count('profiles')).toBe(1);
    expect(await count('embeddings')).toBe(1);
    expect(await count('links')).toBeGreaterThan(0);
    expect(await count('labOutcomes')).toBe(1);
    expect(await count('notes')).toBe(1);
    expect(await count('models')).toBe(0);
    expect(await page.getByTestId('preview-merge').textContent()).toMatch(/Merge adds the file's 1 genome/);
    expect(await page.getByTestId('preview-replace').textContent()).toMatch(/bundled reference data plus this workspace/);
    await screenshot(page, 'workspace-import-preview');
    // Cancel on the preview changes nothing; choosing the file again and Import merges it.
    await page.getByTestId('import-cancel').click();
    expect(await preview.count()).toBe(0);
    const t0 = Date.now();
    const r = await importSnapshot(page, workspace.name, workspace.bytes, 'merge');
    console.log(`workspace merge import ${Date.now() - t0} ms: ${r.text}`);
    expect(r.ok, r.text).toBe(true);
    expect(r.text).toMatch(/1 genomes added \(0 already here\), [1-9]\d* links, 1 embeddings, 0 models, 1 lab outcomes/);

    expect(await profileAndNeighbours(page)).toEqual(expected.neighbours);
    expect(await rankedMedia(page)).toEqual(expected.media);
    expect(await labOutcomes(page)).toEqual(expected.outcomes);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('context 3: export and replace-import, each cancelled while the reference data loads (nothing changed), then the import done', async () => {
    const { context, page, errors } = await app.open();
    await showDatabase(page);
    // Cancel an export: no download, a note, the page ready for the next one.
    gate.hold();
    let downloads = 0;
    page.on('download', () => downloads++);
    await page.getByTestId('workspace-export').click();
    await page.locator('[data-testid="db-progress"][data-stage="reference"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('db-cancel').click();
    await page.getByTestId('db-cancelled').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('db-cancelled').textContent()).toMatch(/Export cancelled\./);
    gate.release();
    await page.waitForTimeout(300);
    expect(downloads).toBe(0);
    expect(await page.getByTestId('export-done').count()).toBe(0);
    const before = await exportInPage(page);
    const merge = page.getByTestId('import-merge');
    if (await merge.isChecked()) await merge.click();
    expect(await chooseImportFile(page, workspace.name, workspace.bytes)).toBe('preview');
    gate.hold();
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('import-confirm').click();
    await page.locator('[data-testid="db-progress"][data-stage="reference"]').waitFor({ timeout: 30_000 });
    await screenshot(page, 'workspace-import-progress');
    await page.getByTestId('db-cancel').click();
    await page.getByTestId('db-cancelled').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('db-cancelled').textContent()).toMatch(/Import cancelled; your database was not changed/);
    expect(await page.getByTestId('db-progress').count()).toBe(0);
    expect(await page.locator('[data-testid="import-result"], [data-testid="import-error"]').count()).toBe(0);
    gate.release();
    const after = await exportInPage(page);
    expect(Buffer.compare(Buffer.from(after.bytes), Buffer.from(before.bytes))).toBe(0);
    expect((await page.getByTestId('db-saved').textContent())!.replace(/\s+/g, ' ')).toContain('(bundled snapshot)');

    const t0 = Date.now();
    const r = await importSnapshot(page, workspace.name, workspace.bytes, 'replace');
    console.log(`workspace replace import ${Date.now() - t0} ms: ${r.text}`);
    expect(r.ok, r.text).toBe(true);
    expect(r.text).toMatch(/Replaced the database with the bundled reference data and the workspace .*: 1 genomes, [1-9]\d* links, 1 embeddings, 0 models, 1 lab outcomes/);
    await screenshot(page, 'workspace-import-replaced');
    expect(await profileAndNeighbours(page)).toEqual(expected.neighbours);
    expect(await rankedMedia(page)).toEqual(expected.media);
    expect(await labOutcomes(page)).toEqual(expected.outcomes);
    expect(errors).toEqual([]);
    await context.close();
  });
});
