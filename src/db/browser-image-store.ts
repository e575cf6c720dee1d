/**
 * Browser persistence of the SQLite image (the bytes of the sql.js database) in IndexedDB.
 *
 * Saves are atomic in two steps: the new image goes into the slot that is NOT current ("a" or
 * "b"), and only when that transaction has committed does a second, tiny transaction switch the
 * `current` pointer. A tab closed during a save therefore leaves the previous image current and
 * intact; a half-written image is never pointed to. The same holds when the browser refuses the
 * write for lack of space (QuotaExceededError aborts the first transaction): the previous image stays
 * current. Works in windows and in workers.
 *
 * Each save bumps `generation` (in the pointer), so a tab can tell that another tab saved since it
 * loaded (see src/runs-in-worker/db-write-lock.ts and src/db/tab-sync.ts).
 */
import { AppError, type ErrorCode } from '../core/errors';

export interface StoredImageInfo {
  slot: 'a' | 'b';
  bytes: number;
  savedAt: string;
  label: string;
  /** 1 for the first save, +1 for each save after it (absent in pointers written before generations: read as 0). */
  generation?: number;
}

export interface ImageStore {
  load(): Promise<{ bytes: Uint8Array; info: StoredImageInfo } | null>;
  save(bytes: Uint8Array, label: string): Promise<StoredImageInfo>;
  info(): Promise<StoredImageInfo | null>;
  clear(): Promise<void>;
}

const DB_NAME = 'mediaforge';
const STORE = 'db-images';
const POINTER_KEY = 'current';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    tx.onerror = () => reject(tx.error);
  });
}

function openIdb(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of MediaForge; close it and retry'));
  });
}

export function indexedDbImageStore(dbName = DB_NAME): ImageStore {
  let idb: Promise<IDBDatabase> | null = null;
  const db = () => (idb ??= openIdb(dbName));

  async function readPointer(): Promise<StoredImageInfo | null> {
    const tx = (await db()).transaction(STORE, 'readonly');
    const info = (await request(tx.objectStore(STORE).get(POINTER_KEY))) as StoredImageInfo | undefined;
    return info ?? null;
  }

  return {
    info: readPointer,

    async load() {
      const info = await readPointer();
      if (!info) return null;
      const tx = (await db()).transaction(STORE, 'readonly');
      const blob = (await request(tx.objectStore(STORE).get(`slot-${info.slot}`))) as Blob | Uint8Array | undefined;
      if (!blob) return null;
      const bytes = blob instanceof Blob ? new Uint8Array(await blob.arrayBuffer()) : blob;
      if (bytes.length !== info.bytes) return null; // never hand out an image that does not match its pointer
      return { bytes, info };
    },

    async save(bytes, label) {
      const current = await readPointer();
      const slot: 'a' | 'b' = current?.slot === 'a' ? 'b' : 'a';
      const info: StoredImageInfo = { slot, bytes: bytes.length, savedAt: new Date().toISOString(), label, generation: (current?.generation ?? 0) + 1 };
      // 1. write the image into the inactive slot
      const write = (await db()).transaction(STORE, 'readwrite', { durability: 'strict' });
      write.objectStore(STORE).put(new Blob([bytes as BlobPart]), `slot-${slot}`);
      await done(write);
      // 2. switch the pointer
      const flip = (await db()).transaction(STORE, 'readwrite', { durability: 'strict' });
      flip.objectStore(STORE).put(info, POINTER_KEY);
      await done(flip);
      return info;
    },

    async clear() {
      const tx = (await db()).transaction(STORE, 'readwrite');
      tx.objectStore(STORE).clear();
      await done(tx);
    },
  };
}

/**
 * An ImageStore in memory with the IndexedDB store's semantics (a new image replaces the current one
 * only once it is complete; generations count saves). For Node tests, which have no IndexedDB.
 */
export function memoryImageStore(): ImageStore {
  let current: { bytes: Uint8Array; info: StoredImageInfo } | null = null;
  return {
    async load() {
      return current && { bytes: current.bytes.slice(), info: { ...current.info } };
    },
    async save(bytes, label) {
      const info: StoredImageInfo = { slot: current?.info.slot === 'a' ? 'b' : 'a', bytes: bytes.length, savedAt: new Date().toISOString(), label, generation: (current?.info.generation ?? 0) + 1 };
      current = { bytes: bytes.slice(), info };
      return { ...info };
    },
    async info() {
      return current && { ...current.info };
    },
    async clear() {
      current = null;
    },
  };
}

/** Whether a failed save was the browser refusing more storage (IndexedDB reports QuotaExceededError, as a DOMException). */
export function isQuotaExceeded(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'QuotaExceededError' || (e instanceof Error && /quota/i.test(e.message));
}

/** ErrorCode of a save the browser refused for lack of space. */
export const STORAGE_FULL: ErrorCode = 'STORAGE_FULL';

const mb = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${(n / 1e6).toFixed(1)} MB`);

/** The message for a change that was made but could not be saved because storage is full. */
export function storageFullError(label: string, imageBytes: number, estimate?: { usage?: number; quota?: number }): AppError {
  const use = estimate?.usage !== undefined && estimate.quota !== undefined ? `, ${mb(estimate.usage)} of the ${mb(estimate.quota)} quota in use` : '';
  return new AppError(
    STORAGE_FULL,
    `browser storage is full: "${label}" was not saved (the database needs ${mb(imageBytes)}${use}); the last saved database is intact, and this change is kept in this tab only until it is reloaded`,
    'download the database with the change (or Export snapshot) to keep it, then free space (delete other sites\' data in the browser settings): the next change saves everything, and after a reload, importing the download brings the change back',
  );
}

/** Asks the browser to keep our storage (not evict it under pressure) and reports the quota. */
export async function requestPersistentStorage(): Promise<{ persisted: boolean; usageBytes?: number; quotaBytes?: number }> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!storage) return { persisted: false };
  let persisted = false;
  try {
    persisted = (await storage.persisted?.()) || (await storage.persist?.()) || false;
  } catch {
    persisted = false;
  }
  const estimate = await storage.estimate?.().catch(() => undefined);
  return { persisted, usageBytes: estimate?.usage, quotaBytes: estimate?.quota };
}
