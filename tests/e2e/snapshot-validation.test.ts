/**
 * Bad snapshot files in the app (issue 11 parts 2 and 5): each case of docs/bad-snapshots.md
 * (tests/helpers/bad-snapshots.ts, the same files the unit and CLI tests use) is imported with
 * *Import snapshot…*, merged and replacing; `import-error` shows its specific message and its
 * `data-code`, and afterwards both the exported database and the image saved in IndexedDB are
 * byte-identical to before.
 */
import { gunzipSync } from 'node:zlib';
import type { SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlJs } from '../../src/db/node-files';
import { badInputSnapshots, codeCarryingSnapshots } from '../helpers/bad-snapshots';
import { build, FIXTURE_DATA } from '../unit/db-test-helpers';
import { exportSnapshot, importSnapshot, openDatabase, savedImage } from './db-helpers';
import { screenshot, useBrowserAndServer } from './helpers';

const app = useBrowserAndServer();
let SQL: SqlJsStatic;
let goodGz: Uint8Array;

beforeAll(async () => {
  SQL = await loadSqlJs();
  goodGz = (await build(FIXTURE_DATA)).bytes;
});

describe('bad snapshot files in the browser', () => {
  it('refuses every case with its message and code; the database and its saved image stay byte-identical', async () => {
    const good = new Uint8Array(gunzipSync(goodGz));
    const { context, page, errors } = await openDatabase(app.browser, app.server.url);
    // The user's own database first (a merged genome), saved.
    expect((await importSnapshot(page, 'colleague.sqlite.gz', goodGz, 'merge')).ok).toBe(true);
    await page.getByTestId('db-saved').filter({ hasText: 'merged colleague.sqlite.gz' }).waitFor();
    const before = { exported: await exportSnapshot(page), saved: await savedImage(page) };
    expect(before.saved.pointer).toMatchObject({ label: 'merged colleague.sqlite.gz' });

    const cases = [...badInputSnapshots(SQL, good), ...codeCarryingSnapshots(SQL, good)];
    for (const c of cases) {
      for (const mode of ['merge', 'replace'] as const) {
        const r = await importSnapshot(page, c.file, c.bytes, mode);
        expect(r.ok, `${c.label} (${mode}) was accepted`).toBe(false);
        if (r.ok) continue;
        expect(r.code, c.label).toBe(c.code);
        expect(r.text).toContain('Your database was not changed.');
        const message = (await page.getByTestId('import-error-message').textContent())!;
        expect(message.startsWith(`${c.file}: `), message).toBe(true);
        expect(message.slice(c.file.length + 2), c.label).toMatch(c.message);
      }
      if (c.label === 'trigger (deletes genomes on insert)') await screenshot(page, 'db-import-refused-trigger');
    }
    const after = { exported: await exportSnapshot(page), saved: await savedImage(page) };
    expect(after.saved).toEqual(before.saved);
    expect(Buffer.compare(Buffer.from(after.exported.bytes), Buffer.from(before.exported.bytes))).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
