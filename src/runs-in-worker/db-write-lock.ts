/**
 * One writer at a time across the tabs of MediaForge: every change to the database (and its save)
 * runs under an exclusive Web Lock (navigator.locks, available in windows and workers of one
 * origin); reloading an image another tab saved takes the lock shared, so it never reads between a
 * writer's change and its save. Where navigator.locks is missing (Node tests), an in-process queue
 * gives the same order within the one process.
 */
export interface WriteLock {
  /** Runs `fn` while no other tab writes or reloads. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` while no tab writes (other shared holders may run at the same time). */
  shared<T>(fn: () => Promise<T>): Promise<T>;
}

/** Name of the lock every MediaForge tab takes around a database write. */
export const DB_WRITE_LOCK = 'mediaforge-db-write';

interface LockManagerLike {
  request<T>(name: string, options: { mode: 'exclusive' | 'shared' }, fn: () => Promise<T>): Promise<T>;
}

/** The Web Locks API when present, else a queue in this process. */
export function databaseWriteLock(name = DB_WRITE_LOCK): WriteLock {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  if (locks) {
    return {
      exclusive: (fn) => locks.request(name, { mode: 'exclusive' }, fn),
      shared: (fn) => locks.request(name, { mode: 'shared' }, fn),
    };
  }
  return inProcessLock();
}

/** A FIFO mutex within one process (shared and exclusive alike). */
export function inProcessLock(): WriteLock {
  let tail: Promise<unknown> = Promise.resolve();
  const run = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = tail.then(fn);
    tail = p.catch(() => undefined);
    return p;
  };
  return { exclusive: run, shared: run };
}
