/**
 * A worker's sign of life: while its event loop runs, a worker posts one small message every
 * HEARTBEAT_EVERY_MS on its own port. The page (src/runs-on-page/worker-liveness.ts) treats a
 * worker that has been silent for long while a call is in flight as dead, so a worker that stops
 * without an error event (killed by the browser for memory, `close()`d, or stuck in a loop) is
 * reported like a crash instead of leaving its caller waiting for ever. Comlink ignores the
 * message: it carries no Comlink id.
 */

/** Milliseconds between heartbeats. */
export const HEARTBEAT_EVERY_MS = 1000;

/** The key of the heartbeat message (`{ [HEARTBEAT_KEY]: n }`). */
export const HEARTBEAT_KEY = 'mediaforgeHeartbeat';

export function isHeartbeat(data: unknown): boolean {
  return typeof data === 'object' && data !== null && HEARTBEAT_KEY in data;
}

/** What a heartbeat is posted on: a worker's global scope (or a MessagePort in tests). */
export interface HeartbeatTarget {
  postMessage(message: unknown): void;
}

/** Starts posting heartbeats (call once, in the worker entry point); returns a function that stops them. */
export function startHeartbeat(target: HeartbeatTarget, everyMs = HEARTBEAT_EVERY_MS): () => void {
  let n = 0;
  const timer = setInterval(() => target.postMessage({ [HEARTBEAT_KEY]: ++n }), everyMs);
  return () => clearInterval(timer);
}
