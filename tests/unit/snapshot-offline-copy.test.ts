/**
 * The keys of the bundled snapshot's offline copy (src/db/snapshot-offline-copy.ts): one per
 * deployment path and revision, so a new build's changed snapshot replaces only its own
 * deployment's older copy. (Cache Storage itself is browser-only: tests/e2e/pwa-snapshot-once.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { isOtherRevision, offlineSnapshotKey, REVISION_PARAM } from '../../src/db/snapshot-offline-copy';

const AT_ROOT = 'http://127.0.0.1:4173/mediaforge-snapshot.sqlite.gz';
const AT_SUB_PATH = 'https://example.org/mediaforge/mediaforge-snapshot.sqlite.gz';

describe('offline snapshot keys', () => {
  it('put the revision in a query parameter of the snapshot URL', () => {
    expect(offlineSnapshotKey(AT_ROOT, '53cef88cfd32b5b2')).toBe(`${AT_ROOT}?${REVISION_PARAM}=53cef88cfd32b5b2`);
    expect(offlineSnapshotKey(AT_SUB_PATH, 'abc')).toBe(`${AT_SUB_PATH}?${REVISION_PARAM}=abc`);
    // A URL that has a query already keeps it.
    expect(offlineSnapshotKey(`${AT_ROOT}?x=1`, 'abc')).toBe(`${AT_ROOT}?x=1&${REVISION_PARAM}=abc`);
  });

  it('name another revision of the same file as old, but never the current one, another path or another origin', () => {
    const current = offlineSnapshotKey(AT_ROOT, 'new');
    expect(isOtherRevision(offlineSnapshotKey(AT_ROOT, 'old'), current)).toBe(true);
    expect(isOtherRevision(current, current)).toBe(false);
    expect(isOtherRevision(offlineSnapshotKey(AT_SUB_PATH, 'old'), current)).toBe(false);
    expect(isOtherRevision(offlineSnapshotKey('http://127.0.0.1:4173/mediaforge/mediaforge-snapshot.sqlite.gz', 'old'), current)).toBe(false);
    expect(isOtherRevision(offlineSnapshotKey('http://127.0.0.1:9999/mediaforge-snapshot.sqlite.gz', 'old'), current)).toBe(false);
    // Only keys this module wrote (with the revision parameter).
    expect(isOtherRevision(AT_ROOT, current)).toBe(false);
  });
});
