/**
 * The flasher stub's UART receive path, as esp-flasher-stub builds it (its `transport.c`, `slip.c`
 * and `frame_buffer.c`; PROTOCOL.md §12), because what a host may send when is decided here:
 *
 * - An interrupt drains the UART FIFO in batches through a SLIP decoder into a frame buffer. When a
 *   frame completes, the decoder has no buffer until the main loop takes the frame and arms the
 *   other one — after the interrupt returns. So the bytes that follow in the same batch are
 *   ignored, 0xC0 included.
 * - An idle decoder ignores everything but a 0xC0, and only with a buffer armed; a 0xC0 with nothing
 *   collected since the last one ends an empty frame (kept armed). So when the start of a frame was
 *   ignored but its end arrives armed, its closing 0xC0 opens a phantom frame, the next frame's
 *   opening 0xC0 closes it empty, that frame's bytes are ignored, its closing 0xC0 opens the next
 *   phantom — every later frame is lost until one extra 0xC0 puts the decoder back in step.
 * - A bad escape or a frame longer than the buffer (8 + 0x4000 + 0xFF bytes) is an error: the frame
 *   is dropped and the rest of the batch ignored, like a completed frame.
 *
 * The simulator hands each chunk the host wrote to {@link StubReceiver.push} as one batch.
 */
import { SLIP } from "./slip.js";

/** esp-flasher-stub's FRAME_BUFFER_SIZE: header, the largest data block, slack. */
export const STUB_FRAME_BUFFER_BYTES = 8 + 0x4000 + 0xff;

/** The stub's SLIP receiver; see the module comment. */
export class StubReceiver {
  private state: "idle" | "frame" | "escape" = "idle";
  private buf: number[] = [];
  /** Bytes ignored because no buffer was armed (for tests and traces). */
  ignoredBytes = 0;

  /**
   * Feeds one interrupt batch. `armed` is whether the main loop had a buffer ready when the batch
   * began (it has none while it is busy with a command). Returns the frame the batch completed, if
   * any; everything after it in the batch is ignored.
   */
  push(batch: Uint8Array, armed: boolean): Uint8Array | undefined {
    let bufferReady = armed;
    for (let i = 0; i < batch.length; i++) {
      if (!bufferReady) {
        this.ignoredBytes += batch.length - i;
        return undefined;
      }
      const frame = this.byte(batch[i] as number);
      if (frame === undefined) continue;
      // A completed frame (or an error) takes the buffer: the rest of the batch finds none.
      bufferReady = false;
      this.ignoredBytes += batch.length - i - 1;
      return frame.length > 0 ? frame : undefined;
    }
    return undefined;
  }

  /** Forgets any partial frame (the stub was restarted). */
  reset(): void {
    this.state = "idle";
    this.buf = [];
  }

  /** One byte with a buffer armed; returns a completed frame, an empty array for an error, or undefined. */
  private byte(b: number): Uint8Array | undefined {
    switch (this.state) {
      case "idle":
        if (b === SLIP.END) {
          this.state = "frame";
          this.buf = [];
        }
        return undefined;
      case "frame":
        if (b === SLIP.END) {
          this.state = "idle";
          // An empty frame (two delimiters in a row) keeps the buffer armed.
          return this.buf.length > 0 ? Uint8Array.from(this.buf) : undefined;
        }
        if (b === SLIP.ESC) {
          this.state = "escape";
          return undefined;
        }
        return this.put(b);
      case "escape":
        this.state = "frame";
        if (b === SLIP.ESC_END) return this.put(SLIP.END);
        if (b === SLIP.ESC_ESC) return this.put(SLIP.ESC);
        return this.error();
    }
  }

  private put(b: number): Uint8Array | undefined {
    if (this.buf.length >= STUB_FRAME_BUFFER_BYTES) return this.error();
    this.buf.push(b);
    return undefined;
  }

  private error(): Uint8Array {
    this.state = "idle";
    this.buf = [];
    return new Uint8Array(0);
  }
}
