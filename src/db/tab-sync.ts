/**
 * Tells the other tabs of MediaForge that the saved database changed (BroadcastChannel, which
 * windows and workers of one origin share). The message carries the image's generation: a tab
 * whose database is older reloads the saved image and tells its user. A tab never receives its
 * own messages.
 */
export interface DbSavedMessage {
  kind: 'db-saved';
  /** Generation of the image now saved (StoredImageInfo.generation). */
  generation: number;
  /** What the change was ("added 1 genome"). */
  label: string;
}

export interface TabSync {
  announce(message: Omit<DbSavedMessage, 'kind'>): void;
  close(): void;
}

/** Name of the channel the tabs' database workers share. */
export const DB_TAB_CHANNEL = 'mediaforge-db';

/** Listens for other tabs' saves; without BroadcastChannel, announces nothing and hears nothing. */
export function openTabSync(onSaved: (m: DbSavedMessage) => void, name = DB_TAB_CHANNEL): TabSync {
  if (typeof BroadcastChannel === 'undefined') return { announce() {}, close() {} };
  const channel = new BroadcastChannel(name);
  channel.onmessage = (e: MessageEvent) => {
    const m = e.data as Partial<DbSavedMessage> | null;
    if (m?.kind === 'db-saved' && typeof m.generation === 'number') onSaved({ kind: 'db-saved', generation: m.generation, label: String(m.label ?? '') });
  };
  return {
    announce: (m) => channel.postMessage({ kind: 'db-saved', ...m } satisfies DbSavedMessage),
    close: () => channel.close(),
  };
}
