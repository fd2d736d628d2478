/**
 * Streaming SLIP decoder for bytes seen on the wire (PROTOCOL.md §1.1): 0xC0 ends a frame, 0xDB 0xDC
 * stands for 0xC0 and 0xDB 0xDD for 0xDB. Written here from the protocol reference, not taken from
 * espsync, so that what the wire counter reports does not depend on the code under test.
 */

const END = 0xc0;
const ESC = 0xdb;
const ESC_END = 0xdc;
const ESC_ESC = 0xdd;

/** Feeds raw bytes in any chunking and calls `onFrame` with each complete, unescaped frame. */
export class SlipReader {
  private buf: number[] = [];
  private escaped = false;

  constructor(private readonly onFrame: (frame: Uint8Array) => void) {}

  /** Decodes `chunk`; a frame split over chunks is completed by a later call. */
  push(chunk: Uint8Array): void {
    for (const byte of chunk) {
      if (byte === END) {
        // An empty frame (C0 C0, or the opening delimiter) carries nothing: skip it.
        if (this.buf.length > 0) this.onFrame(Uint8Array.from(this.buf));
        this.buf = [];
        this.escaped = false;
      } else if (this.escaped) {
        this.buf.push(byte === ESC_END ? END : byte === ESC_ESC ? ESC : byte);
        this.escaped = false;
      } else if (byte === ESC) {
        this.escaped = true;
      } else {
        this.buf.push(byte);
      }
    }
  }
}
