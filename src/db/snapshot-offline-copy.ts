/**
 * Browser only (page and database worker): the offline copy of the bundled snapshot, in Cache
 * Storage. The service worker's precache leaves the 14.5 MB snapshot out, so that it crosses the
 * network once on a first visit: the database worker's own download is kept here (when the app
 * has a service worker, i.e. can work offline at all), and read from here before the network.
 *
 * The entry's key is the snapshot's URL with the build's snapshot revision (a hash of the file,
 * vite.config.ts) as a query parameter: a new build with the same snapshot finds its copy, and a
 * build with a changed snapshot misses, downloads the new one and drops the old revision. Other
 * deployments on the same origin (another path) keep their own entries.
 */

/** The Cache Storage cache that holds the snapshot (one entry per deployment path). */
export const SNAPSHOT_CACHE = 'mediaforge-snapshot';
/** The query parameter of the key that names the revision (never sent to the server). */
export const REVISION_PARAM = 'mediaforge-revision';

/** The key of the offline copy of the snapshot at `snapshotUrl` in revision `revision`. */
export function offlineSnapshotKey(snapshotUrl: string, revision: string): string {
  const url = new URL(snapshotUrl);
  url.searchParams.set(REVISION_PARAM, revision);
  return url.href;
}

/** True when `key` is another revision of the same file as `current` (same origin and path). */
export function isOtherRevision(key: string, current: string): boolean {
  const a = new URL(key);
  const b = new URL(current);
  return a.href !== b.href && a.origin === b.origin && a.pathname === b.pathname && a.searchParams.has(REVISION_PARAM);
}

/** The cache, or null where Cache Storage is missing (Node, an insecure origin) or refused. */
async function openCache(): Promise<Cache | null> {
  if (typeof caches === 'undefined') return null;
  try {
    return await caches.open(SNAPSHOT_CACHE);
  } catch {
    return null;
  }
}

/** True when the offline copy of this revision is stored. */
export async function hasOfflineSnapshot(key: string): Promise<boolean> {
  const cache = await openCache();
  return !!(await cache?.match(key).catch(() => undefined));
}

/** The stored bytes of this revision, or null (not stored, or unreadable: the caller downloads). */
export async function readOfflineSnapshot(key: string): Promise<Uint8Array | null> {
  const cache = await openCache();
  const res = await cache?.match(key).catch(() => undefined);
  if (!res) return null;
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch {
    return null;
  }
}

/** Stores the bytes as this revision's copy, then drops the other revisions of the same file. Throws when it cannot (no Cache Storage, quota). */
export async function storeOfflineSnapshot(key: string, bytes: Uint8Array): Promise<void> {
  const cache = await openCache();
  if (!cache) throw new Error('Cache Storage is not available');
  const headers = { 'content-type': 'application/gzip', 'content-length': String(bytes.byteLength) };
  await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
  for (const request of await cache.keys()) if (isOtherRevision(request.url, key)) await cache.delete(request);
}

/** Drops this revision's copy (it could not be opened: the next load downloads it again). */
export async function deleteOfflineSnapshot(key: string): Promise<void> {
  await (await openCache())?.delete(key).catch(() => false);
}
