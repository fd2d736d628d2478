/**
 * How the ROM loader builds its replies (observed on the real ESP32 and ESP32-C3 ROMs in QEMU,
 * PROTOCOL.md §1.6 and §11): one reply buffer holds the payload and, right after it, the status
 * bytes; four status bytes are sent, of which only the first two are written (the other two are
 * whatever the buffer held — leftovers). A failing MD5 or READ_FLASH_SLOW sends the buffer as it
 * is, so its payload is the previous reply's. The error byte is a variable of its own that some
 * successful commands (flash and RAM loading, SPI_SET_PARAMS) leave as the last failure set it.
 * The value field is sticky. An unsupported command re-sends the previous reply with `01 05`.
 */
import type { LoaderContext } from "./loader-context.js";
import { ROM_ERR } from "./protocol-constants.js";

/** Largest payload a ROM reply carries (READ_FLASH_SLOW: 64 bytes) plus 4 status bytes. */
const REPLY_BUFFER_BYTES = 68;

/** The ROM's reply state. */
export class RomReplies {
  /** Value field of every reply: last READ_REG result, SYNC's first data word, 0 after reset (§11). */
  sticky = 0;
  /** Reply payload area; bytes past a reply's payload and status are leftovers of earlier replies. */
  private readonly buffer = new Uint8Array(REPLY_BUFFER_BYTES);
  private errorByte = 0;
  /** The previous reply, re-sent for unsupported commands (§1.6): all zero after reset. */
  private last = { op: 0, payloadBytes: 0, copies: 1 };

  constructor(private readonly ctx: LoaderContext) {}

  /** Puts payload bytes at the start of the reply buffer (MD5 text, flash bytes, security info). */
  setPayload(bytes: Uint8Array): void {
    this.buffer.set(bytes.subarray(0, REPLY_BUFFER_BYTES - 4));
  }

  /** A success; `keepError` leaves the error byte of the last failure in place. */
  ok(op: number, opts: { payloadBytes?: number; keepError?: boolean; copies?: number } = {}): void {
    if (!opts.keepError) this.errorByte = 0;
    this.send(op, 0, opts.payloadBytes ?? 0, opts.copies ?? 1);
  }

  /** A failure with ROM error `error`; `payloadBytes` of the buffer go out unchanged. */
  fail(op: number, error: number, payloadBytes = 0): void {
    this.errorByte = error & 0xff;
    this.send(op, 1, payloadBytes, 1);
  }

  /** §1.6/§11: the previous reply (its opcode, the sticky value, size 4) again, with status 01 05. */
  unsupported(): void {
    this.errorByte = ROM_ERR.BAD_FORMAT;
    const { op, copies } = this.last;
    this.buffer.set([1, this.errorByte], 0);
    this.ctx.respond(op, this.sticky, new Uint8Array(0), this.buffer.slice(0, 4), copies);
  }

  private send(op: number, status: number, payloadBytes: number, copies: number): void {
    this.buffer.set([status, this.errorByte], payloadBytes);
    this.ctx.respond(op, this.sticky, this.buffer.slice(0, payloadBytes), this.buffer.slice(payloadBytes, payloadBytes + 4), copies);
    this.last = { op, payloadBytes, copies };
  }
}
