/**
 * What the page keeps of database changes the browser refused to store (STORAGE_FULL), as pure
 * state transitions over the database events (tested in Node; the database store holds the state
 * and DbNotices shows it).
 *
 * - A refused save sends the database with the change (`save-failed` with `image`): this tab
 *   still holds the change, and the copy is offered as a download (`inTab`).
 * - A later save that succeeds stores everything the tab holds: the copy and the message go.
 * - When the tab loses what it held (a fresh database worker reopened the saved database, or
 *   another tab's save was loaded), the copy moves to `lost`: its download is then the change's
 *   only copy, and the notice stays until every lost copy has been downloaded.
 */
import type { SerializedAppError } from '../../core/errors';
import type { DbClientEvent } from '../../runs-on-page/db-client';

export interface UnsavedCopy {
  /** The database with the change (SQLite bytes). */
  image: Uint8Array;
  /** The change, as the worker named it ("merged colleague.sqlite.gz"). */
  label: string;
  error: SerializedAppError;
  downloaded: boolean;
}

export interface LostCopy extends UnsavedCopy {
  /** Why this tab no longer holds it, in words. */
  because: string;
}

export interface UnsavedState {
  /** The refused save's message (the notice), until dismissed or saved after all. */
  storageError: SerializedAppError | null;
  /** The database with the changes this tab holds but could not store. */
  inTab: UnsavedCopy | null;
  /** Databases with changes this tab no longer holds, oldest first. */
  lost: LostCopy[];
}

export const NO_UNSAVED: UnsavedState = { storageError: null, inTab: null, lost: [] };

export const LOST_TO_WORKER = 'the database worker stopped, and a new one reopened the database as last saved';
export const LOST_TO_OTHER_TAB = 'another tab saved a change, and this tab loaded it';

function drop(s: UnsavedState, because: string): UnsavedState {
  return s.inTab ? { ...s, inTab: null, lost: [...s.lost, { ...s.inTab, because }] } : s;
}

/** The state after a database event. */
export function unsavedAfter(s: UnsavedState, e: DbClientEvent): UnsavedState {
  switch (e.kind) {
    case 'saved':
      // Everything this tab holds is stored now, a refused change included; lost copies are not.
      return { ...s, inTab: null, storageError: null };
    case 'save-failed':
      // The new image holds every change this tab holds: it replaces the previous in-tab copy.
      return { ...s, storageError: e.error, inTab: e.image ? { image: e.image, label: e.label, error: e.error, downloaded: false } : s.inTab };
    case 'reopened':
      return drop(s, LOST_TO_WORKER);
    case 'changed-elsewhere': {
      const next = drop(s, LOST_TO_OTHER_TAB);
      // Another tab saved, so there is space again; the message stays only for what was lost.
      return next.lost.length ? next : { ...next, storageError: null };
    }
  }
}

/** The state after `copy` was downloaded (matched by its image: the copy may have moved to `lost` meanwhile). */
export function afterDownload(s: UnsavedState, copy: UnsavedCopy): UnsavedState {
  return {
    ...s,
    inTab: s.inTab?.image === copy.image ? { ...s.inTab, downloaded: true } : s.inTab,
    lost: s.lost.map((c) => (c.image === copy.image ? { ...c, downloaded: true } : c)),
  };
}

/** Whether the notice can be dismissed: not while a lost change's only copy has not been downloaded. */
export function canDismiss(s: UnsavedState): boolean {
  return s.lost.every((c) => c.downloaded);
}

/** The notice's ✕: the message and the downloaded lost copies go; an in-tab copy stays (offered again if the tab loses it). */
export function dismissed(s: UnsavedState): UnsavedState {
  return canDismiss(s) ? { ...s, storageError: null, lost: [] } : s;
}

/** The message the notice shows: the refused save's, or a lost copy's once that was dismissed. */
export function noticeError(s: UnsavedState): SerializedAppError | null {
  return s.storageError ?? s.lost[0]?.error ?? null;
}
