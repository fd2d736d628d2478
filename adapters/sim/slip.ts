/**
 * SLIP framing as the ESP32 ROM loader and flasher stub use it (PROTOCOL.md §1.1): every packet starts
 * and ends with 0xC0; 0xC0 and 0xDB inside a packet are escaped as DB DC / DB DD.
 */

/** SLIP constants, PROTOCOL.md §1.1. */
export const SLIP = { END: 0xc0, ESC: 0xdb, ESC_END: 0xdc, ESC_ESC: 0xdd } as const;

/** Encodes one packet as a complete SLIP frame (leading and trailing 0xC0). */
export function slipEncode(payload: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of payload) if (b === SLIP.END || b === SLIP.ESC) extra++;
  const out = new Uint8Array(payload.length + extra + 2);
  let o = 0;
  out[o++] = SLIP.END;
  for (const b of payload) {
    if (b === SLIP.END) {
      out[o++] = SLIP.ESC;
      out[o++] = SLIP.ESC_END;
    } else if (b === SLIP.ESC) {
      out[o++] = SLIP.ESC;
      out[o++] = SLIP.ESC_ESC;
    } else {
      out[o++] = b;
    }
  }
  out[o] = SLIP.END;
  return out;
}

/**
 * Streaming decoder: feed arbitrary chunks, get complete frames. Bytes outside a frame (boot text,
 * line noise) are dropped, as the chip's own receiver does; empty frames (`C0 C0`) are skipped. An
 * invalid escape drops the frame being assembled, because the chip cannot trust what follows.
 */
export class SlipDecoder {
  private inFrame = false;
  private escaping = false;
  private buf: number[] = [];

  /** Feeds bytes; returns every frame completed by them, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (let offset = 0; offset < chunk.length; ) {
      const { frame, consumed } = this.next(chunk.subarray(offset));
      offset += consumed;
      if (frame) frames.push(frame);
    }
    return frames;
  }

  /**
   * Feeds bytes up to and including the end of the first frame they complete; returns that frame
   * (if any) and how many bytes were consumed, so the caller can keep the rest for later.
   */
  next(chunk: Uint8Array): { frame: Uint8Array | undefined; consumed: number } {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (!this.inFrame) {
        if (b === SLIP.END) this.startFrame();
        continue;
      }
      if (this.escaping) {
        this.escaping = false;
        if (b === SLIP.ESC_END) this.buf.push(SLIP.END);
        else if (b === SLIP.ESC_ESC) this.buf.push(SLIP.ESC);
        else this.inFrame = false; // corrupt escape: abandon the frame, resynchronise on the next END
        continue;
      }
      if (b === SLIP.ESC) {
        this.escaping = true;
      } else if (b === SLIP.END) {
        if (this.buf.length > 0) {
          this.inFrame = false; // anything before the next END is outside a frame and dropped
          return { frame: Uint8Array.from(this.buf), consumed: i + 1 };
        }
        this.startFrame(); // `C0 C0`: the second END opens the next frame
      } else {
        this.buf.push(b);
      }
    }
    return { frame: undefined, consumed: chunk.length };
  }

  /** Drops any partly received frame (e.g. after a reset or a baud-rate mismatch). */
  reset(): void {
    this.inFrame = false;
    this.escaping = false;
    this.buf = [];
  }

  private startFrame(): void {
    this.inFrame = true;
    this.escaping = false;
    this.buf = [];
  }
}
