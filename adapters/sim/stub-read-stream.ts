/**
 * READ_FLASH streaming as esp-flasher-stub runs it after acknowledging the command (PROTOCOL.md
 * §2.4, observed on QEMU): one packet in flight whatever max_in_flight says; every 4-byte frame
 * counts as an acknowledgement and releases the next packet, whatever number it carries; the
 * stream ends when all data went out and an acknowledgement covers the whole length, or at once
 * when any other frame arrives (that frame is discarded). Either way the MD5 of the bytes sent so
 * far follows. A read the flash refuses ends the stream silently; the error answers the next command.
 */
import { createHash, type Hash } from "node:crypto";
import type { LoaderContext } from "./loader-context.js";
import { word } from "./loader-context.js";
import { PROTO, STUB_ERR } from "./protocol-constants.js";

/** One READ_FLASH stream. */
export class StubReadStream {
  private next: number;
  private readonly end: number;
  private acked = 0;
  private readonly hash: Hash = createHash("md5");
  /** True until the digest went out (or the stream failed). */
  open = true;

  private constructor(
    private readonly ctx: LoaderContext,
    addr: number,
    private readonly size: number,
    private readonly packetBytes: number,
  ) {
    this.next = addr;
    this.end = addr + size;
  }

  /**
   * Starts streaming after the OK reply. Returns the stub's error for the next command when the
   * stream cannot run: packet size above 4096 (BAD_DATA_LEN) or a flash read refused (FAILED_SPI_OP).
   */
  static start(ctx: LoaderContext, addr: number, size: number, packetBytes: number): { stream?: StubReadStream; error?: number } {
    if (packetBytes > PROTO.STUB_MAX_READ_PACKET) return { error: STUB_ERR.BAD_DATA_LEN };
    const stream = new StubReadStream(ctx, addr, size, packetBytes);
    const error = stream.pump();
    return error === undefined ? { stream } : { error };
  }

  /** A frame from the host while streaming; returns the error for the next command, if any. */
  onFrame(frame: Uint8Array): number | undefined {
    if (frame.length !== 4) {
      this.finish(); // the host gave up: digest of what was sent, the frame itself is dropped
      return undefined;
    }
    this.acked = word(frame, 0);
    return this.pump();
  }

  /** Sends the next packet, or the digest once everything is sent and acknowledged. */
  private pump(): number | undefined {
    if (this.next < this.end) {
      // A zero packet size never advances: the stub sends empty frames (invisible C0 C0) forever.
      const n = Math.min(this.packetBytes, this.end - this.next);
      if (!this.ctx.flash.inRange(this.next, n)) {
        this.open = false;
        return STUB_ERR.FAILED_SPI_OP;
      }
      const chunk = this.ctx.flash.read(this.next, n);
      this.ctx.work({ readBytes: n });
      this.hash.update(chunk);
      this.next += n;
      this.ctx.sendFrame(chunk);
      return undefined;
    }
    if (this.acked >= this.size) this.finish();
    return undefined;
  }

  private finish(): void {
    this.open = false;
    this.ctx.sendFrame(new Uint8Array(this.hash.digest()));
  }
}
