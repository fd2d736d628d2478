/**
 * Incremental zlib inflate (RFC 1950/1951) whose state spans any number of input chunks, as the
 * flasher stub's decoder does across FLASH_DEFL_DATA packets (PROTOCOL.md §2.3): the host splits
 * the compressed stream at arbitrary byte boundaries. node:zlib offers no synchronous stateful
 * inflate, so this is a small generator-based decoder that suspends whenever input runs out.
 */

/** The compressed stream is malformed. */
export class InflateError extends Error {}

interface Huffman {
  counts: Uint16Array;
  symbols: Uint16Array;
}

function buildHuffman(lengths: Uint8Array): Huffman {
  const counts = new Uint16Array(16);
  for (const l of lengths) counts[l] = (counts[l] as number) + 1;
  counts[0] = 0;
  const offs = new Uint16Array(16);
  for (let i = 1; i < 16; i++) offs[i] = (offs[i - 1] as number) + (counts[i - 1] as number);
  const symbols = new Uint16Array(lengths.length);
  lengths.forEach((l, sym) => {
    if (l) symbols[(offs[l] as number)++] = sym;
  });
  return { counts, symbols };
}

const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

const FIXED_LIT = buildHuffman(Uint8Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)));
const FIXED_DIST = buildHuffman(new Uint8Array(30).fill(5));

/** Feed compressed chunks with {@link push}; each call returns the bytes it produced. */
export class IncrementalInflate {
  private input: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private bitBuf = 0;
  private bitCount = 0;
  private readonly window = new Uint8Array(32768);
  private windowPos = 0;
  private out: number[] = [];
  private adlerA = 1;
  private adlerB = 0;
  private readonly machine: Generator<void, void, void>;
  /** True once the final block and the Adler-32 trailer were read. */
  done = false;

  constructor() {
    this.machine = this.run();
    this.machine.next(); // runs until it first needs input
  }

  /** Decodes `chunk`; throws {@link InflateError} on a malformed stream. */
  push(chunk: Uint8Array): Uint8Array {
    if (this.done) return new Uint8Array(0); // bytes after the end of the stream are ignored
    this.input = chunk;
    this.pos = 0;
    const r = this.machine.next();
    if (r.done) this.done = true;
    const produced = Uint8Array.from(this.out);
    this.out = [];
    return produced;
  }

  private *need(bits: number): Generator<void, void, void> {
    while (this.bitCount < bits) {
      while (this.pos >= this.input.length) yield;
      this.bitBuf |= (this.input[this.pos++] as number) << this.bitCount;
      this.bitCount += 8;
    }
  }

  private *bits(n: number): Generator<void, number, void> {
    if (n === 0) return 0;
    if (this.bitCount < n) yield* this.need(n);
    const v = this.bitBuf & ((1 << n) - 1);
    this.bitBuf >>>= n;
    this.bitCount -= n;
    return v;
  }

  private *symbol(h: Huffman): Generator<void, number, void> {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      if (this.bitCount < 1) yield* this.need(1);
      code |= this.bitBuf & 1;
      this.bitBuf >>>= 1;
      this.bitCount--;
      const count = h.counts[len] as number;
      if (code - first < count) return h.symbols[index + code - first] as number;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new InflateError("invalid Huffman code");
  }

  private emit(byte: number): void {
    this.out.push(byte);
    this.window[this.windowPos] = byte;
    this.windowPos = (this.windowPos + 1) & 0x7fff;
    this.adlerA = (this.adlerA + byte) % 65521;
    this.adlerB = (this.adlerB + this.adlerA) % 65521;
  }

  private *run(): Generator<void, void, void> {
    const cmf = yield* this.bits(8);
    const flg = yield* this.bits(8);
    if ((cmf & 0x0f) !== 8 || ((cmf << 8) | flg) % 31 !== 0 || flg & 0x20) throw new InflateError("bad zlib header");
    let last = 0;
    while (!last) {
      last = yield* this.bits(1);
      const type = yield* this.bits(2);
      if (type === 0) yield* this.stored();
      else if (type === 1) yield* this.codes(FIXED_LIT, FIXED_DIST);
      else if (type === 2) {
        const [lit, dist] = yield* this.dynamicTables();
        yield* this.codes(lit, dist);
      } else throw new InflateError("invalid block type");
    }
    this.bitBuf >>>= this.bitCount & 7; // align to a byte for the trailer
    this.bitCount -= this.bitCount & 7;
    let adler = 0;
    for (let i = 0; i < 4; i++) adler = (adler << 8) | (yield* this.bits(8));
    if (adler >>> 0 !== ((this.adlerB << 16) | this.adlerA) >>> 0) throw new InflateError("Adler-32 mismatch");
  }

  private *stored(): Generator<void, void, void> {
    this.bitBuf >>>= this.bitCount & 7;
    this.bitCount -= this.bitCount & 7;
    const len = yield* this.bits(16);
    const nlen = yield* this.bits(16);
    if ((len ^ 0xffff) !== nlen) throw new InflateError("stored block length check failed");
    for (let i = 0; i < len; i++) this.emit(yield* this.bits(8));
  }

  private *dynamicTables(): Generator<void, [Huffman, Huffman], void> {
    const hlit = (yield* this.bits(5)) + 257;
    const hdist = (yield* this.bits(5)) + 1;
    const hclen = (yield* this.bits(4)) + 4;
    const cl = new Uint8Array(19);
    for (let i = 0; i < hclen; i++) cl[CL_ORDER[i] as number] = yield* this.bits(3);
    const clHuff = buildHuffman(cl);
    const lengths = new Uint8Array(hlit + hdist);
    for (let n = 0; n < hlit + hdist; ) {
      const sym = yield* this.symbol(clHuff);
      if (sym < 16) lengths[n++] = sym;
      else {
        let repeat: number;
        let value = 0;
        if (sym === 16) {
          if (n === 0) throw new InflateError("repeat with no previous length");
          value = lengths[n - 1] as number;
          repeat = 3 + (yield* this.bits(2));
        } else if (sym === 17) repeat = 3 + (yield* this.bits(3));
        else repeat = 11 + (yield* this.bits(7));
        if (n + repeat > hlit + hdist) throw new InflateError("too many code lengths");
        while (repeat--) lengths[n++] = value;
      }
    }
    return [buildHuffman(lengths.subarray(0, hlit)), buildHuffman(lengths.subarray(hlit))];
  }

  private *codes(lit: Huffman, dist: Huffman): Generator<void, void, void> {
    for (;;) {
      const sym = yield* this.symbol(lit);
      if (sym < 256) this.emit(sym);
      else if (sym === 256) return;
      else {
        const li = sym - 257;
        if (li >= 29) throw new InflateError("invalid length symbol");
        const len = (LEN_BASE[li] as number) + (yield* this.bits(LEN_EXTRA[li] as number));
        const di = yield* this.symbol(dist);
        if (di >= 30) throw new InflateError("invalid distance symbol");
        const d = (DIST_BASE[di] as number) + (yield* this.bits(DIST_EXTRA[di] as number));
        for (let i = 0; i < len; i++) this.emit(this.window[(this.windowPos - d) & 0x7fff] as number);
      }
    }
  }
}
