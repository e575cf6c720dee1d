/**
 * Comlink's built-in 'throw' handler sends only name/message/stack, so an AppError thrown in a
 * worker would arrive as a plain Error without its code and hint. This handler sends the
 * serialized AppError and rebuilds it on the other side. Register it in the worker AND in the
 * page (both import this module) before the first call.
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import { deserializeError, serializeError, type SerializedAppError } from '../core/errors';

let registered = false;

export function registerAppErrorTransfer(): void {
  if (registered) return;
  const builtIn = transferHandlers.get('throw');
  if (!builtIn) throw new Error('Comlink has no built-in "throw" transfer handler to replace');
  const handler: TransferHandler<{ value: unknown }, SerializedAppError> = {
    canHandle: (v): v is { value: unknown } => builtIn.canHandle(v),
    serialize: (thrown) => [serializeError(thrown.value), []],
    deserialize: (s) => {
      throw deserializeError(s);
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
  registered = true;
}
