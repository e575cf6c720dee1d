/**
 * A structured value on its way from one worker through the page to another, packed so that the
 * page's main thread only moves transferable buffers. Structured cloning many small objects is
 * paid on the main thread twice (receive, send): the recipe CVAE's training input, 16.7k pair
 * objects with their conditions, took ~35 ms per clone (Node's structuredClone, same serializer),
 * which showed up as long tasks while training. Packed, typed arrays of at least
 * `minTransferLength` elements travel as they are (transferred), everything else as one JSON text
 * in a transferred byte buffer, with smaller typed arrays and non-finite numbers tagged; the
 * receiving worker unpacks it.
 *
 * Values must be plain data (objects, arrays, strings, numbers, booleans, null, typed arrays);
 * objects with the keys `$a`, `$t` or `$n` are reserved for the tags. Runs anywhere.
 */

export interface PackedValue {
  /** UTF-8 JSON of the value, typed arrays and non-finite numbers tagged. */
  json: Uint8Array;
  /** The large typed arrays, each in a buffer of its own (`{"$a": i}` in the JSON). */
  arrays: ArrayBufferView[];
}

type TypedArrayName = 'Float32Array' | 'Float64Array' | 'Int8Array' | 'Int16Array' | 'Int32Array' | 'Uint8Array' | 'Uint16Array' | 'Uint32Array' | 'Uint8ClampedArray';
const CTORS: Record<TypedArrayName, { new (values: ArrayLike<number>): ArrayBufferView }> = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Uint8ClampedArray,
};

/** Typed arrays this long or longer are transferred; shorter ones go in the JSON. */
export const MIN_TRANSFER_LENGTH = 1024;

export function packForTransfer(value: unknown, minTransferLength = MIN_TRANSFER_LENGTH): PackedValue {
  const arrays: ArrayBufferView[] = [];
  const seen = new Map<ArrayBufferView, number>();
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return { $n: String(v) };
    if (!ArrayBuffer.isView(v) || v instanceof DataView) return v;
    const name = v.constructor.name as TypedArrayName;
    if (!(name in CTORS)) throw new TypeError(`packForTransfer: cannot pack a ${name}`);
    const a = v as unknown as ArrayLike<number> & ArrayBufferView;
    if (a.length < minTransferLength) return { $t: name, v: Array.from(a, (x) => (Number.isFinite(x) ? x : String(x))) };
    let i = seen.get(v);
    if (i === undefined) {
      // A view into a larger buffer is copied: transferring its buffer would detach the rest.
      const own = v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v : (v as unknown as { slice(): ArrayBufferView }).slice();
      i = arrays.push(own) - 1;
      seen.set(v, i);
    }
    return { $a: i };
  });
  return { json: new TextEncoder().encode(text), arrays };
}

export function unpackFromTransfer<T>(packed: PackedValue): T {
  return JSON.parse(new TextDecoder().decode(packed.json), (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    if (typeof o.$n === 'string') return Number(o.$n);
    if (typeof o.$a === 'number') {
      const a = packed.arrays[o.$a];
      if (!a) throw new TypeError(`unpackFromTransfer: array ${o.$a} is missing`);
      return a;
    }
    if (typeof o.$t === 'string' && Array.isArray(o.v)) {
      const ctor = CTORS[o.$t as TypedArrayName];
      if (!ctor) throw new TypeError(`unpackFromTransfer: unknown typed array ${o.$t}`);
      return new ctor((o.v as (number | string)[]).map(Number));
    }
    return v;
  }) as T;
}

/** The buffers to transfer with a packed value (each once). */
export function packedBuffers(packed: PackedValue): ArrayBuffer[] {
  return [...new Set([packed.json.buffer as ArrayBuffer, ...packed.arrays.map((a) => a.buffer as ArrayBuffer)])];
}
