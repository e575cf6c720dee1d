/**
 * Byte classes of the streaming FASTA scanners that read bases only (rRNA markers, ORF calling)
 * and of the 16S reference's k-mer sets: 0..3 are the bases A C G T in any case (U = T), the
 * other classes say how a scanner treats the byte. The k-mer profiler (fasta-kmer-scanner.ts)
 * keeps a finer table of its own, since it also names the bytes it rejects.
 */
export const C_BREAK = 4; // N, IUPAC, gaps, anything unexpected: cuts every window and frame
export const C_NEWLINE = 5;
export const C_SKIP = 6; // \r, space, tab, \v, \f
export const C_HEADER = 7; // '>' or ';' (at the start of a line)
export const C_BOM = 8; // bytes of a UTF-8 byte-order mark

export const BASE_BYTE_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(C_BREAK);
  'ACGT'.split('').forEach((ch, i) => {
    t[ch.charCodeAt(0)] = i;
    t[ch.toLowerCase().charCodeAt(0)] = i;
  });
  t['U'.charCodeAt(0)] = 3;
  t['u'.charCodeAt(0)] = 3;
  t[10] = C_NEWLINE;
  for (const b of [9, 11, 12, 13, 32]) t[b] = C_SKIP;
  t[62] = C_HEADER;
  t[59] = C_HEADER;
  for (const b of [0xef, 0xbb, 0xbf]) t[b] = C_BOM;
  return t;
})();
