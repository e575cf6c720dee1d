/**
 * Untrusted text (file names, FASTA headers, species, strains, medium names, imported snapshots)
 * may hold bidirectional controls: U+202E RIGHT-TO-LEFT OVERRIDE makes "evil\u202Eanf.exe" read
 * "evilexe.fna" and flips the rest of its line. It may also hold line breaks that would split a
 * one-line message. The page isolates such text (src/ui/components/Isolated.svelte, `<bdi>`);
 * where it leaves the page or goes to a terminal (CLI stderr, download names, TSV and JSON
 * exports) these helpers make the controls visible, strip them, or escape them.
 */

/** The bidi controls: LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM, ALM. */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

/** Bidi controls, C0/C1 control characters (line breaks, tab, ESC, …), DEL and U+2028/U+2029 (line/paragraph separators). */
const CONTROLS = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u2028\u2029]/g;

const codePoint = (c: string) => c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');

export function hasBidiControls(text: string): boolean {
  return BIDI_CONTROLS.test(text);
}

/**
 * Every control character written as `<U+XXXX>`: "evil\u202Eanf.exe" → "evil<U+202E>anf.exe",
 * "a\nb.fa" → "a<U+000A>b.fa". The result is one line that reads in logical order, for a terminal
 * or a log.
 */
export function showControls(text: string): string {
  return text.replace(CONTROLS, (c) => `<U+${codePoint(c)}>`);
}

/** Every control character removed. */
export function stripControls(text: string): string {
  return text.replace(CONTROLS, '');
}

/**
 * A name fit for a downloaded file: no control characters, and `_` for characters that are not
 * allowed in file names on Windows/macOS/Linux (`/ \ : * ? " < > |`); `fallback` if nothing is left.
 */
export function safeFileName(name: string, fallback = 'download'): string {
  const s = stripControls(name).replace(/[/\\:*?"<>|]+/g, '_').trim();
  return s === '' || s === '.' || s === '..' ? fallback : s;
}

/**
 * JSON text with the bidi controls and U+2028/U+2029 inside its strings written as `\uXXXX`
 * escapes (JSON.stringify already escapes C0 controls). Parsing gives back exactly the same
 * values; a person reading the file sees the escape instead of reordered text.
 */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u2028\u2029]/g, (c) => `\\u${codePoint(c).toLowerCase()}`);
}

/** A piece of a message: untrusted pieces are shown in their own bidi isolate. */
export interface TextPart {
  text: string;
  isolate: boolean;
}

/**
 * Splits `text` into the occurrences of the untrusted `names` (isolated) and the text between them.
 * In the text between, a quoted piece ('…' or "…": how core messages quote a record id or a line)
 * that holds a bidi control has its inside isolated, and any other piece still holding one is
 * isolated whole, so a control never reaches past its piece. Concatenated, the parts are `text`
 * exactly. Without names, the whole text is one isolated part.
 */
export function splitUntrusted(text: string, names?: readonly (string | null | undefined)[]): TextPart[] {
  if (!names) return text === '' ? [] : [{ text, isolate: true }];
  const wanted = [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))].sort((a, b) => b.length - a.length);
  const parts: TextPart[] = [];
  const push = (s: string, isolate: boolean) => s !== '' && parts.push({ text: s, isolate });
  const plain = (s: string) => {
    if (!hasBidiControls(s)) return push(s, false);
    let from = 0;
    for (const m of s.matchAll(/'([^'\n]*)'|"([^"\n]*)"/g)) {
      const inside = m[1] ?? m[2];
      if (!hasBidiControls(inside)) continue;
      const before = s.slice(from, m.index + 1);
      push(before, hasBidiControls(before));
      push(inside, true);
      from = m.index + 1 + inside.length;
    }
    const rest = s.slice(from);
    push(rest, hasBidiControls(rest));
  };
  let from = 0;
  while (from < text.length) {
    let at = -1;
    let hit = '';
    for (const n of wanted) {
      const i = text.indexOf(n, from);
      if (i >= 0 && (at < 0 || i < at)) [at, hit] = [i, n];
    }
    if (at < 0) break;
    plain(text.slice(from, at));
    push(hit, true);
    from = at + hit.length;
  }
  plain(text.slice(from));
  return parts;
}
