/**
 * One MessageChannel for every yield (a macrotask without the 4 ms clamping of nested
 * setTimeout), opened on first use: a training loop yields every few milliseconds.
 */
let channel: { port: MessagePort; waiting: (() => void)[] } | undefined;

function openChannel(): { port: MessagePort; waiting: (() => void)[] } {
  const { port1, port2 } = new MessageChannel();
  const waiting: (() => void)[] = [];
  port1.onmessage = () => waiting.shift()?.();
  return { port: port2, waiting };
}

/**
 * Hands control back to the event loop (a macrotask), so that messages already queued, such as a
 * worker's cancel(), are handled. `await reader.read()` alone only yields to microtasks: when a
 * stream's data is already buffered (a File in a worker, bytes in memory), a whole file can be
 * read without the event loop ever running.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const { port, waiting } = (channel ??= openChannel());
    waiting.push(resolve);
    port.postMessage(null);
  });
}

/** Minimum milliseconds between yields in long loops (about one frame). */
export const YIELD_EVERY_MS = 16;
