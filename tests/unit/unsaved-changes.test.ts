/**
 * The page's record of changes the browser refused to store (src/ui/stores/unsaved-changes.ts):
 * every sequence of database events that could lose a change keeps a copy of it until the user
 * has downloaded it. The browser version (real quota, crashed worker) is tests/e2e/storage-faults.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { SerializedAppError } from '../../src/core/errors';
import type { DbInfo } from '../../src/runs-in-worker/db-worker-api';
import type { DbClientEvent } from '../../src/runs-on-page/db-client';
import { afterDownload, canDismiss, dismissed, LOST_TO_OTHER_TAB, LOST_TO_WORKER, NO_UNSAVED, noticeError, unsavedAfter, type UnsavedState } from '../../src/ui/stores/unsaved-changes';

const full = (label: string): SerializedAppError => ({ name: 'AppError', code: 'STORAGE_FULL', message: `browser storage is full: "${label}" was not saved`, hint: 'download the database with the change' }) as SerializedAppError;
const failed = (label: string, image?: Uint8Array): DbClientEvent => ({ kind: 'save-failed', label, error: full(label), ...(image ? { image } : {}) });
const info = {} as DbInfo;
const run = (...events: DbClientEvent[]) => events.reduce<UnsavedState>(unsavedAfter, NO_UNSAVED);

describe('unsaved changes', () => {
  it('a refused save keeps the database with the change; a later save stores it and the notice goes', () => {
    const a = new Uint8Array([1]);
    const s = run(failed('change A', a));
    expect(s.inTab).toMatchObject({ image: a, label: 'change A', downloaded: false });
    expect(noticeError(s)?.message).toMatch(/"change A" was not saved/);
    // A second refused change: its image holds both, so it replaces the first copy.
    const b = new Uint8Array([1, 2]);
    const s2 = unsavedAfter(s, failed('change B', b));
    expect(s2.inTab?.image).toBe(b);
    expect(s2.lost).toEqual([]);
    expect(unsavedAfter(s2, { kind: 'saved', label: 'change C' })).toEqual(NO_UNSAVED);
  });

  it('the tab loses the change (worker reopened, another tab saved): the copy is kept as the only one, and the notice stays until it is downloaded', () => {
    for (const [event, because] of [[{ kind: 'reopened', info }, LOST_TO_WORKER], [{ kind: 'changed-elsewhere', label: 'their change', info }, LOST_TO_OTHER_TAB]] as const) {
      const a = new Uint8Array([1]);
      const s = run(failed('change A', a), event);
      expect(s.inTab).toBeNull();
      expect(s.lost).toEqual([expect.objectContaining({ image: a, label: 'change A', because, downloaded: false })]);
      expect(noticeError(s)?.code).toBe('STORAGE_FULL');
      // A later save does not hold the lost change: the copy stays.
      const saved = unsavedAfter(s, { kind: 'saved', label: 'change B' });
      expect(saved.lost).toHaveLength(1);
      expect(noticeError(saved)?.message).toMatch(/"change A"/); // shown from the lost copy
      // Not dismissable before the download; after it, it is.
      expect(canDismiss(saved)).toBe(false);
      expect(dismissed(saved)).toBe(saved);
      const got = afterDownload(saved, saved.lost[0]);
      expect(got.lost[0].downloaded).toBe(true);
      expect(canDismiss(got)).toBe(true);
      expect(dismissed(got)).toEqual(NO_UNSAVED);
    }
  });

  it('a new refusal after a loss keeps both: the lost copy is not overwritten by an image without its change', () => {
    const a = new Uint8Array([1]);
    const b = new Uint8Array([2]);
    const s = run(failed('change A', a), { kind: 'reopened', info }, failed('change B', b));
    expect(s.lost.map((c) => c.image)).toEqual([a]);
    expect(s.inTab?.image).toBe(b);
    // Losing again: two lost copies, oldest first.
    const s2 = unsavedAfter(s, { kind: 'reopened', info });
    expect(s2.lost.map((c) => c.label)).toEqual(['change A', 'change B']);
    expect(canDismiss(afterDownload(s2, s2.lost[0]))).toBe(false);
  });

  it('a download started while the tab held the change counts when the tab lost it meanwhile', () => {
    const a = new Uint8Array([1]);
    const s = run(failed('change A', a));
    const clicked = s.inTab!;
    const lost = unsavedAfter(s, { kind: 'reopened', info }); // while the file was being prepared
    const after = afterDownload(lost, clicked);
    expect(after.lost[0].downloaded).toBe(true);
    expect(canDismiss(after)).toBe(true);
  });

  it('dismissing while the tab still holds the change hides the message and keeps the copy, offered again if the tab loses it', () => {
    const a = new Uint8Array([1]);
    const s = dismissed(run(failed('change A', a)));
    expect(noticeError(s)).toBeNull();
    expect(s.inTab?.image).toBe(a);
    const lost = unsavedAfter(s, { kind: 'reopened', info });
    expect(noticeError(lost)?.message).toMatch(/"change A"/);
    expect(lost.lost[0].image).toBe(a);
  });

  it('a refusal with no change of the user’s (the first copy of the bundled snapshot) shows the message only; another tab’s save or a later save clears it', () => {
    const s = run(failed('bundled snapshot'));
    expect(s.inTab).toBeNull();
    expect(noticeError(s)?.code).toBe('STORAGE_FULL');
    expect(unsavedAfter(s, { kind: 'changed-elsewhere', label: 'x', info })).toEqual(NO_UNSAVED);
    expect(unsavedAfter(s, { kind: 'saved', label: 'x' })).toEqual(NO_UNSAVED);
    expect(unsavedAfter(s, { kind: 'reopened', info })).toEqual(s);
  });
});
