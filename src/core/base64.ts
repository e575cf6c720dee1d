/**
 * Base64 to and from bytes, in the browser, workers and Node alike (atob/btoa are global in all
 * three). Used for binary values kept in text: the stored phenotype features of the snapshot and
 * assets inlined by Vite as data URLs.
 */

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  // In slices: spreading a whole multi-megabyte array into fromCharCode overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function base64ToBytes(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The bytes of a base64 data URL (`data:…;base64,…`), such as a Vite `?inline` import. */
export function dataUrlBytes(url: string): Uint8Array {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0 || !url.slice(0, comma).endsWith(';base64')) {
    throw new Error(`not a base64 data URL: ${url.slice(0, 40)}`);
  }
  return base64ToBytes(url.slice(comma + 1));
}
