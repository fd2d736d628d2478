/**
 * A zlib stream built bit by bit (RFC 1950/1951), for decoder cases no compressor writes: one
 * dynamic-Huffman block of literals only, whose distance code is declared but never used. With
 * `distanceCodes: 2` the distance code is complete and the stream is valid; with 3 codes of length
 * 1 it is over-subscribed. zlib rejects such a stream ("invalid distances set"), and so does the
 * chips' miniz `tinfl_decompress`, which checks every table it builds (`65536 != total &&
 * used_syms > 1`), while a decoder that only checks the codes it meets writes the data.
 */

/** Seven literal bytes plus end-of-block: eight 3-bit codes, a complete literal/length code. */
const LITERALS = Array.from("deflat!", (c) => c.charCodeAt(0));
/** Code-length symbols used (0, 1, 3) and their lengths: a complete code (1, 2, 2 bits). */
const CL_LENGTHS: Readonly<Record<number, number>> = { 0: 1, 1: 2, 3: 2 };
/** RFC 1951 §3.2.7: the order in which the code-length code's lengths are sent. */
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

class BitWriter {
  private readonly bits: number[] = [];
  /** `value` in `n` bits, least significant first (header fields, extra bits). */
  put(value: number, n: number): void {
    for (let i = 0; i < n; i++) this.bits.push((value >> i) & 1);
  }
  /** A Huffman code of `n` bits, most significant first (RFC 1951 §3.1.1). */
  code(value: number, n: number): void {
    for (let i = n - 1; i >= 0; i--) this.bits.push((value >> i) & 1);
  }
  bytes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.bits.length; i += 8) out.push(this.bits.slice(i, i + 8).reduce((v, b, j) => v | (b << j), 0));
    return out;
  }
}

/** Canonical codes for `lengths` (symbol → bit length), RFC 1951 §3.2.2. */
function canonical(lengths: ReadonlyMap<number, number>): Map<number, number> {
  const codes = new Map<number, number>();
  let code = 0;
  for (let len = 1; len <= 15; len++) {
    for (const sym of [...lengths.keys()].sort((a, b) => a - b)) if (lengths.get(sym) === len) codes.set(sym, code++);
    code <<= 1;
  }
  return codes;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** `sizeBytes` bytes cycling through "deflat!", the data every stream here inflates to. */
export function handmadeData(sizeBytes: number): Uint8Array {
  return Uint8Array.from({ length: sizeBytes }, (_, i) => LITERALS[i % LITERALS.length] as number);
}

/** The zlib stream of {@link handmadeData}; see the module comment for `distanceCodes`. */
export function handmadeZlib(sizeBytes: number, distanceCodes: 2 | 3): Uint8Array {
  const data = handmadeData(sizeBytes);
  const w = new BitWriter();
  w.put(1, 1); // BFINAL
  w.put(2, 2); // BTYPE: dynamic Huffman
  w.put(0, 5); // HLIT: 257 literal/length codes
  w.put(distanceCodes - 1, 5); // HDIST
  w.put(CL_ORDER.indexOf(1) + 1 - 4, 4); // HCLEN: up to the code-length symbol 1
  for (const sym of CL_ORDER.slice(0, CL_ORDER.indexOf(1) + 1)) w.put(CL_LENGTHS[sym] ?? 0, 3);
  const clCodes = canonical(new Map(Object.entries(CL_LENGTHS).map(([s, l]) => [Number(s), l])));
  const litLengths = new Map([...LITERALS, 256].map((s) => [s, 3]));
  const lengths = [...Array.from({ length: 257 }, (_, s) => litLengths.get(s) ?? 0), ...new Array<number>(distanceCodes).fill(1)];
  for (const len of lengths) w.code(clCodes.get(len) as number, CL_LENGTHS[len] as number);
  const litCodes = canonical(litLengths);
  for (const byte of data) w.code(litCodes.get(byte) as number, 3);
  w.code(litCodes.get(256) as number, 3);
  const adler = adler32(data);
  return Uint8Array.from([0x78, 0x01, ...w.bytes(), adler >>> 24, (adler >>> 16) & 0xff, (adler >>> 8) & 0xff, adler & 0xff]);
}
