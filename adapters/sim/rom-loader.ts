/**
 * The ROM download-mode loader personality (PROTOCOL.md §1, §2, §11), as the real ESP32 and
 * ESP32-C3 ROMs behave in QEMU (test/qemu/agreement):
 * - the header's size field, not the frame, says how long the data is, and the data buffer keeps
 *   what earlier requests left in it: a short request reads stale bytes (READ_REG of 0 bytes
 *   reads the previous address); most commands check no length at all;
 * - replies come from one buffer (see {@link RomReplies}): 4 status bytes, sticky value, stale
 *   payloads on MD5 / READ_FLASH_SLOW errors, the "re-send with 01 05" answer to anything unknown;
 * - FLASH_DATA / MEM_DATA take `len` bytes at a write pointer (not `offset + seq·block`): a block
 *   longer than the block size is refused, a shorter one written as is; the expected sequence
 *   number advances even when the checksum fails;
 * - FLASH_END succeeds only when every announced byte was written; then flag 0 reboots into the
 *   loader, anything else runs the user code — and so does a failed FLASH_END. FLASH_DEFL_END
 *   fails only for an incomplete deflate session and leaves the loader only to reboot (flag 0).
 */
import { ROM_BAUD } from "./boot.js";
import { IncrementalInflate, InflateError } from "./inflate.js";
import { type LoaderContext, type Request, word } from "./loader-context.js";
import { dataChecksum, OP, PROTO, ROM_ERR } from "./protocol-constants.js";
import { RomReplies } from "./rom-replies.js";
import { securityInfoPayload } from "./security-info.js";

/** Commands a ROM in Secure Download Mode still accepts, §2.7. */
const SDM_ALLOWED: readonly number[] = [
  OP.SYNC, OP.SPI_ATTACH, OP.SPI_SET_PARAMS, OP.CHANGE_BAUDRATE, OP.FLASH_BEGIN, OP.FLASH_DATA, OP.FLASH_END, OP.GET_SECURITY_INFO,
];

/** Size of the ROM's request data buffer: the largest data block plus its 16-byte header. */
const RX_BUFFER_BYTES = PROTO.ROM_MAX_FLASH_BLOCK + 16;

/** The ROM's inflate output buffer (its 32 KiB dictionary), written to flash a unit at a time. */
const INFLATE_UNIT_BYTES = 0x8000;

/** A FLASH_BEGIN, FLASH_DEFL_BEGIN or MEM_BEGIN session. */
interface LoadSession {
  readonly offset: number;
  readonly size: number;
  readonly blockSize: number;
  nextSeq: number;
  /** Bytes written so far (the write pointer is `offset + written`). */
  written: number;
  readonly inflater?: IncrementalInflate;
}

/** The ROM loader's state machine. */
export class RomLoader {
  private replies: RomReplies;
  private rx = new Uint8Array(RX_BUFFER_BYTES);
  private flash: LoadSession | undefined;
  private deflate: LoadSession | undefined;
  private mem: LoadSession | undefined;
  private uploaded: [number, number][] = [];
  /** The inflate buffer's contents, kept from one compressed write to the next (chips with `romDeflateWholeUnits`). */
  private inflateUnit = new Uint8Array(INFLATE_UNIT_BYTES);
  /** After CHANGE_BAUDRATE 0 the real ROM never answers again (until reset). */
  private dead = false;

  constructor(private readonly ctx: LoaderContext) {
    this.replies = new RomReplies(ctx);
  }

  /** Value field of every reply (exposed for tests). */
  get sticky(): number {
    return this.replies.sticky;
  }

  /** Handles one request; `forcedError` comes from fault injection. */
  handle(req: Request, forcedError?: number): void {
    const { ctx, replies } = this;
    if (this.dead) return;
    // The data lands in the same buffer every time: bytes past this request's end are stale.
    this.rx.set(req.data.subarray(0, RX_BUFFER_BYTES));
    if (req.direction !== 0) return replies.unsupported();
    if (ctx.secureDownloadMode && !SDM_ALLOWED.includes(req.op)) return replies.unsupported();
    if (forcedError !== undefined) return replies.fail(req.op, forcedError);
    const op = req.op;
    const size = req.sizeField;
    const w = (i: number): number => word(this.rx, i);
    switch (op) {
      case OP.SYNC:
        // Neither length nor pattern is checked; the value field becomes the first data word.
        replies.sticky = w(0);
        return replies.ok(op, { copies: PROTO.SYNC_REPLIES });
      case OP.READ_REG:
        replies.sticky = ctx.regs.read(w(0));
        return replies.ok(op);
      case OP.WRITE_REG:
        for (let i = 0; i < Math.floor(size / 16); i++) {
          ctx.work(w(i * 4 + 3) / 1e6);
          ctx.regs.write(w(i * 4), w(i * 4 + 1), w(i * 4 + 2));
        }
        return replies.ok(op);
      case OP.SPI_ATTACH:
        return replies.ok(op); // any length
      case OP.SPI_SET_PARAMS:
        return size === 24 ? replies.ok(op, { keepError: true }) : replies.fail(op, ROM_ERR.BAD_FORMAT);
      case OP.CHANGE_BAUDRATE:
        if (w(0) === 0) {
          this.dead = true; // observed: no reply, and the ROM is gone
          return;
        }
        replies.ok(op);
        return ctx.setUartBaud(w(0));
      case OP.MEM_BEGIN:
        if (size !== 16) return replies.fail(op, ROM_ERR.BAD_FORMAT);
        this.mem = { offset: w(3), size: w(0), blockSize: w(2), nextSeq: 0, written: 0 };
        return replies.ok(op, { keepError: true });
      case OP.MEM_DATA:
        return this.loadData(op, req.checksum);
      case OP.MEM_END: {
        // No length check: a short MEM_END reads its flag and entry from the stale buffer.
        const [flag, entry] = [w(0), w(1)];
        replies.ok(op, { keepError: true });
        if (flag === 0 && this.uploaded.some(([a, b]) => entry >= a && entry < b)) ctx.enterStub();
        return;
      }
      case OP.FLASH_BEGIN:
      case OP.FLASH_DEFL_BEGIN:
        return this.flashBegin(op, size);
      case OP.FLASH_DATA:
      case OP.FLASH_DEFL_DATA:
        return this.loadData(op, req.checksum);
      case OP.FLASH_END:
        return this.flashEnd(op, w(0));
      case OP.FLASH_DEFL_END:
        return this.deflEnd(op, w(0));
      case OP.SPI_FLASH_MD5: {
        const [addr, len] = [w(0), w(1)];
        // Past the end: 01 09, carrying whatever the buffer holds (usually the previous digest).
        if (!ctx.flash.inRange(addr, len)) return replies.fail(op, ROM_ERR.FLASH_READ, 32);
        replies.setPayload(new Uint8Array(Buffer.from(Buffer.from(ctx.md5(addr, len)).toString("hex"), "latin1")));
        return replies.ok(op, { payloadBytes: 32 });
      }
      case OP.READ_FLASH_SLOW: {
        const [addr, len] = [w(0), w(1)];
        const n = PROTO.READ_FLASH_SLOW_BYTES;
        if (len > n) return replies.fail(op, ROM_ERR.READ_LENGTH, n);
        if (!ctx.flash.inRange(addr, len)) return replies.fail(op, ROM_ERR.FLASH_READ, n);
        // `len` bytes are read into the buffer; all 64 go out, the rest stale.
        replies.setPayload(ctx.flash.read(addr, len));
        ctx.work({ readBytes: len });
        return replies.ok(op, { payloadBytes: n });
      }
      case OP.GET_SECURITY_INFO: {
        const bytes = ctx.spec.romSecurityInfoBytes;
        if (bytes === 0) return replies.unsupported();
        replies.setPayload(securityInfoPayload(ctx, bytes));
        return replies.ok(op, { payloadBytes: bytes, keepError: true });
      }
      default:
        return replies.unsupported();
    }
  }

  private flashBegin(op: number, size: number): void {
    const { ctx, replies } = this;
    const w = (i: number): number => word(this.rx, i);
    // The real ROMs accept exactly one payload length (§2.2, §11): 20 bytes on ESP32 → 01 05.
    if (size !== ctx.spec.romFlashBeginBytes) return replies.fail(op, ROM_ERR.BAD_FORMAT);
    const [eraseSize, , blockSize, offset] = [w(0), w(1), w(2), w(3)];
    if (blockSize > PROTO.ROM_MAX_FLASH_BLOCK || blockSize === 0) return replies.fail(op, ROM_ERR.BAD_FORMAT);
    const compressed = op === OP.FLASH_DEFL_BEGIN;
    const session: LoadSession = { offset, size: eraseSize, blockSize, nextSeq: 0, written: 0, ...(compressed ? { inflater: new IncrementalInflate() } : {}) };
    const sectors = Math.ceil(eraseSize / PROTO.SECTOR_BYTES);
    if (offset % PROTO.SECTOR_BYTES !== 0 || !ctx.flash.inRange(offset, sectors * PROTO.SECTOR_BYTES)) {
      // Nothing erased, but the offset is kept: later FLASH_DATA lands on unerased flash (§11).
      if (ctx.flash.inRange(offset, eraseSize)) this.setSession(compressed, session);
      return replies.fail(op, ROM_ERR.RESULT_WRONG);
    }
    // Exactly ceil(size / 4 KiB) sectors, erased now (§11).
    for (let i = 0; i < sectors; i++) ctx.flash.eraseSector(offset + i * PROTO.SECTOR_BYTES);
    ctx.work({ sectors });
    this.setSession(compressed, session);
    replies.ok(op, { keepError: true });
  }

  private setSession(compressed: boolean, s: LoadSession): void {
    if (compressed) this.deflate = s;
    else this.flash = s;
  }

  /** FLASH_DATA, FLASH_DEFL_DATA and MEM_DATA: the same checks, then flash, inflate or RAM. */
  private loadData(op: number, checksum: number): void {
    const { ctx, replies } = this;
    const s = op === OP.MEM_DATA ? this.mem : op === OP.FLASH_DEFL_DATA ? this.deflate : this.flash;
    const len = word(this.rx, 0);
    // Without a session the block size is 0, so every block is "too long".
    if (!s || len > s.blockSize) return replies.fail(op, ROM_ERR.BAD_FORMAT);
    if (word(this.rx, 1) !== s.nextSeq) return replies.fail(op, ROM_ERR.BAD_FORMAT);
    s.nextSeq++; // even when the checksum fails below (observed)
    const block = this.rx.slice(16, 16 + len);
    if (dataChecksum(block) !== checksum) return replies.fail(op, ROM_ERR.CHECKSUM);
    if (op === OP.MEM_DATA) {
      this.uploaded.push([s.offset + s.written, s.offset + s.written + len]);
      s.written += len;
      return replies.ok(op, { keepError: true });
    }
    let bytes: Uint8Array = block;
    if (s.inflater) {
      try {
        bytes = s.inflater.push(block);
      } catch (e) {
        if (!(e instanceof InflateError)) throw e;
        return replies.fail(op, ROM_ERR.DEFLATE);
      }
    }
    const addr = s.offset + s.written;
    if (!ctx.flash.inRange(addr, bytes.length)) return replies.fail(op, ROM_ERR.FLASH_WRITE);
    const fraction = ctx.powerLossPending ? 0.5 : 1;
    const part = bytes.subarray(0, Math.floor(bytes.length * fraction));
    const exact = ctx.flash.program(addr, part);
    ctx.work({ programBytes: part.length });
    if (ctx.powerLossPending) return ctx.powerLoss();
    if (s.inflater) this.fillInflateUnit(s.written, bytes);
    s.written += bytes.length;
    // Programming can only clear bits: unerased flash fails the read-back check (§11).
    if (!exact) return replies.fail(op, ROM_ERR.FLASH_WRITE);
    if (s.inflater?.done && ctx.spec.romDeflateWholeUnits) this.programStaleTail(s);
    replies.ok(op, { keepError: true });
  }

  private fillInflateUnit(at: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.inflateUnit[(at + i) % INFLATE_UNIT_BYTES] = bytes[i] as number;
  }

  /**
   * The ESP32 ROM ends a compressed write by programming the rest of its last 32 KiB unit from the
   * inflate buffer: stale bytes from earlier writes land past the data, on sectors it never erased.
   */
  private programStaleTail(s: LoadSession): void {
    const used = s.written % INFLATE_UNIT_BYTES;
    if (used === 0) return;
    const from = s.offset + s.written;
    const end = Math.min(this.ctx.flash.sizeBytes, from + INFLATE_UNIT_BYTES - used);
    if (end <= from) return;
    this.ctx.flash.program(from, this.inflateUnit.subarray(used, used + end - from));
    this.ctx.work({ programBytes: end - from });
  }

  private flashEnd(op: number, flag: number): void {
    const complete = this.flash !== undefined && this.flash.written >= this.flash.size;
    if (!complete) {
      this.replies.fail(op, ROM_ERR.RESULT_WRONG);
      return this.ctx.runUserCode(); // observed: the ROM leaves for the app even so
    }
    this.replies.ok(op); // a successful FLASH_END clears the error byte (observed)
    if (flag === 0) return this.reboot();
    return this.ctx.runUserCode();
  }

  private deflEnd(op: number, flag: number): void {
    if (this.deflate !== undefined && this.deflate.written < this.deflate.size) return this.replies.fail(op, ROM_ERR.RESULT_WRONG);
    this.replies.ok(op, { keepError: true });
    if (flag === 0) this.reboot(); // any other flag: the ROM stays in the loader (observed)
  }

  /**
   * Software reset back into the download loader: value 0, previous reply all zero, no flash or RAM
   * session — except the deflate session, which the real ROM keeps across the reset (an incomplete
   * one still fails FLASH_DEFL_END afterwards, observed on QEMU).
   */
  private reboot(): void {
    this.replies = new RomReplies(this.ctx);
    this.rx = new Uint8Array(RX_BUFFER_BYTES);
    this.flash = undefined;
    this.mem = undefined;
    this.uploaded = [];
    this.ctx.setUartBaud(ROM_BAUD);
  }
}
