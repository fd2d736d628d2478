/**
 * Incremental zlib inflate (RFC 1950/1951) whose state spans any number of input chunks, as the
 * ROM's and the flasher stub's decoder (miniz `tinfl_decompress`) does across FLASH_DEFL_DATA
 * blocks (PROTOCOL.md §2.3): the host splits the compressed stream at arbitrary byte boundaries.
 *
 * pako's `Inflate` is zlib's own inflate state machine, ported: it rejects what the chips' decoder
 * rejects, including a Huffman table that is built but never used (the agreement tests show the
 * real ESP32 ROM and stub failing such a stream), and it is many times faster than decoding bit by
 * bit here. It is a compression library, not part of the flasher, so the simulator stays an
 * independent check of espsync's protocol code.
 */
import { constants, Inflate } from "pako";

/** The compressed stream is malformed. */
export class InflateError extends Error {}

/** Feed compressed chunks with {@link push}; each call returns the bytes it produced. */
export class IncrementalInflate {
  // windowBits 15 alone: zlib streams only (pako's default also takes gzip, which no loader does).
  private readonly inflater = new Inflate({ windowBits: 15 });
  private produced: Uint8Array[] = [];
  private failure: string | undefined;
  /** True once the final block and the Adler-32 trailer were read. */
  done = false;

  constructor() {
    this.inflater.onData = (chunk) => void this.produced.push(chunk as Uint8Array);
    const onEnd = this.inflater.onEnd.bind(this.inflater); // sets `err` and `msg`
    this.inflater.onEnd = (status) => {
      onEnd(status);
      if (status === constants.Z_OK) this.done = true;
    };
  }

  /**
   * Decodes `chunk` and returns every byte it completes (a sync flush: nothing is held back for a
   * later chunk). Bytes after the end of the stream are ignored. Throws {@link InflateError} on a
   * malformed stream, and again on every later chunk: the chips' decoder stays failed too (tinfl's
   * "return forever" states).
   */
  push(chunk: Uint8Array): Uint8Array {
    if (this.done) return new Uint8Array(0);
    if (this.failure !== undefined) throw new InflateError(this.failure);
    this.inflater.push(chunk, constants.Z_SYNC_FLUSH);
    const out = this.take();
    if (this.inflater.err !== constants.Z_OK) {
      this.failure = this.inflater.msg || `zlib status ${this.inflater.err}`;
      throw new InflateError(this.failure);
    }
    return out;
  }

  private take(): Uint8Array {
    const chunks = this.produced;
    this.produced = [];
    if (chunks.length === 1) return chunks[0] as Uint8Array;
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
