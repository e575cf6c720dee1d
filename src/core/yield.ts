/**
 * Hands control back to the event loop (a macrotask), so that messages already queued, such as a
 * worker's cancel(), are handled. `await reader.read()` alone only yields to microtasks: when a
 * stream's data is already buffered (a File in a worker, bytes in memory), a whole file can be
 * read without the event loop ever running.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    // MessageChannel: a macrotask without the timer clamping of setTimeout
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Minimum milliseconds between yields in long loops (about one frame). */
export const YIELD_EVERY_MS = 16;
