/**
 * Bidi controls and line breaks in untrusted names (issue 11 follow-up): "evil\u202Eanf.exe" reads
 * "evilexe.fna" and flips the rest of its line; a newline in a file name split the CLI's one-line
 * error. The helpers that make them visible, strip or escape them, and split a message into the
 * pieces the page isolates.
 */
import { describe, expect, it } from 'vitest';
import { escapeJsonControls, hasBidiControls, safeFileName, showControls, splitUntrusted, stripControls } from '../../src/core/untrusted-text';

const RLO = '\u202E';
const ALL_BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'];

describe('untrusted text', () => {
  it('finds every bidi control and nothing else', () => {
    for (const c of ALL_BIDI) expect(hasBidiControls(`a${c}b`)).toBe(true);
    expect(hasBidiControls('مرحبا שלום 🧫 Bacillus')).toBe(false); // RTL letters are not controls
  });

  it('showControls writes each control as <U+XXXX> on one line, in logical order', () => {
    expect(showControls(`evil${RLO}anf.exe`)).toBe('evil<U+202E>anf.exe');
    expect(showControls('a\nb\r.fa\tx\u0000\u001b[31m\u007f\u0085\u2028\u2029')).toBe('a<U+000A>b<U+000D>.fa<U+0009>x<U+0000><U+001B>[31m<U+007F><U+0085><U+2028><U+2029>');
    expect(showControls(ALL_BIDI.join(''))).toBe('<U+202A><U+202B><U+202C><U+202D><U+202E><U+2066><U+2067><U+2068><U+2069><U+200E><U+200F><U+061C>');
    expect(showControls('plain name.fa.gz مرحبا')).toBe('plain name.fa.gz مرحبا');
  });

  it('stripControls and safeFileName give a name fit for a download', () => {
    expect(stripControls(`evil${RLO}anf.exe\n`)).toBe('evilanf.exe');
    expect(safeFileName(`evil${RLO}anf.exe`)).toBe('evilanf.exe');
    expect(safeFileName('../a/b\\c:d*e?f"g<h>i|j.kmers')).toBe('.._a_b_c_d_e_f_g_h_i_j.kmers');
    expect(safeFileName(`${RLO}\n`, 'genome')).toBe('genome');
    expect(safeFileName('..')).toBe('download');
  });

  it('escapeJsonControls keeps the values and shows the escapes in the text', () => {
    const value = { file: `evil${RLO}anf.exe`, records: [{ id: `\u2066x\u2069\u2028` }] };
    const json = escapeJsonControls(JSON.stringify(value));
    expect(json).toBe('{"file":"evil\\u202eanf.exe","records":[{"id":"\\u2066x\\u2069\\u2028"}]}');
    expect(JSON.parse(json)).toEqual(value);
    expect(hasBidiControls(json)).toBe(false);
  });

  it('splitUntrusted isolates the names in a message and keeps its text exactly', () => {
    const name = `evil${RLO}anf.exe`;
    const message = `${name}: added as genome 12 (${name})`;
    const parts = splitUntrusted(message, [name, null, '']);
    expect(parts).toEqual([
      { text: name, isolate: true },
      { text: ': added as genome 12 (', isolate: false },
      { text: name, isolate: true },
      { text: ')', isolate: false },
    ]);
    expect(parts.map((p) => p.text).join('')).toBe(message);
    // The longest name wins where names overlap; a piece with a control of its own is isolated.
    expect(splitUntrusted(`a.fa.gz: record '${RLO}r1' is odd`, ['a.fa', 'a.fa.gz'])).toEqual([
      { text: 'a.fa.gz', isolate: true },
      { text: ": record '", isolate: false },
      { text: `${RLO}r1`, isolate: true },
      { text: "' is odd", isolate: false },
    ]);
    // A quoted piece without a control stays plain; a control outside quotes isolates its whole piece.
    const warning = `1 record id is used again, first 'ok' then "${RLO}c1" (records 1 and 3) ${RLO}tail`;
    const w = splitUntrusted(warning, []);
    expect(w).toEqual([
      { text: `1 record id is used again, first 'ok' then "`, isolate: false },
      { text: `${RLO}c1`, isolate: true },
      { text: `" (records 1 and 3) ${RLO}tail`, isolate: true },
    ]);
    expect(w.map((p) => p.text).join('')).toBe(warning);
    expect(splitUntrusted('no names here', ['x.fa'])).toEqual([{ text: 'no names here', isolate: false }]);
    expect(splitUntrusted('whole', undefined)).toEqual([{ text: 'whole', isolate: true }]);
    expect(splitUntrusted('', ['a'])).toEqual([]);
  });
});
