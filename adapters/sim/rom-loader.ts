/**
 * The ROM download-mode loader personality (PROTOCOL.md §1, §2, §11): 4 status bytes, a sticky
 * value field, 8 replies per SYNC, the "re-send the previous reply with 01 05" answer to anything
 * it does not support, strict FLASH_BEGIN rules, ASCII MD5, and the hand-off to an uploaded stub.
 */
import { FlashWriteError, FlashWriteSession } from "./flash-writer.js";
import { type LoaderContext, type Request, word } from "./loader-context.js";
import { dataChecksum, OP, PROTO, ROM_ERR } from "./protocol-constants.js";

/** Commands a ROM in Secure Download Mode still accepts, §2.7. */
const SDM_ALLOWED: readonly number[] = [
  OP.SYNC, OP.SPI_ATTACH, OP.SPI_SET_PARAMS, OP.CHANGE_BAUDRATE, OP.FLASH_BEGIN, OP.FLASH_DATA, OP.FLASH_END, OP.GET_SECURITY_INFO,
];

const SYNC_PATTERN = Uint8Array.from([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);

interface RomFlashSession {
  offset: number;
  blockSize: number;
  nextSeq: number;
  writer: FlashWriteSession;
}

/** The ROM loader's state machine. */
export class RomLoader {
  /** Value field of every reply: last READ_REG result, SYNC value, 0 after reset (§11). */
  sticky = 0;
  /** The previous reply, re-sent for unsupported commands (§1.6): all zero after reset. */
  private last = { op: 0, copies: 1 };
  private flashSession: RomFlashSession | undefined;
  private mem: { addr: number; blockSize: number; nextSeq: number } | undefined;
  private readonly uploaded: [number, number][] = [];
  private lastDigest: Uint8Array = new Uint8Array(32).fill(0x30);

  constructor(private readonly ctx: LoaderContext) {}

  /** Handles one request; `forcedError` comes from fault injection. */
  handle(req: Request, forcedError?: number): void {
    const { ctx } = this;
    if (req.direction !== 0) return; // the ROM ignores anything that is not a request
    if (ctx.secureDownloadMode && !SDM_ALLOWED.includes(req.op)) return this.unsupported();
    if (forcedError !== undefined) return this.fail(req.op, forcedError);
    if (req.sizeField !== req.data.length) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
    const d = req.data;
    switch (req.op) {
      case OP.SYNC:
        if (d.length !== SYNC_PATTERN.length || !d.every((b, i) => b === SYNC_PATTERN[i])) return;
        this.sticky = PROTO.ROM_SYNC_VALUE;
        return this.ok(OP.SYNC, undefined, PROTO.SYNC_REPLIES);
      case OP.READ_REG:
        if (d.length !== 4) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
        this.sticky = ctx.regs.read(word(d, 0));
        return this.ok(req.op);
      case OP.WRITE_REG:
        if (d.length === 0 || d.length % 16 !== 0) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
        for (let i = 0; i < d.length / 16; i++) {
          ctx.work(word(d, i * 4 + 3) / 1e6);
          ctx.regs.write(word(d, i * 4), word(d, i * 4 + 1), word(d, i * 4 + 2));
        }
        return this.ok(req.op);
      case OP.SPI_ATTACH:
        return d.length === 8 ? this.ok(req.op) : this.fail(req.op, ROM_ERR.BAD_FORMAT);
      case OP.SPI_SET_PARAMS:
        return d.length === 24 ? this.ok(req.op) : this.fail(req.op, ROM_ERR.BAD_FORMAT);
      case OP.CHANGE_BAUDRATE:
        if (d.length !== 8 || word(d, 0) === 0) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
        this.ok(req.op);
        return ctx.setUartBaud(word(d, 0));
      case OP.MEM_BEGIN:
        if (d.length !== 16) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
        this.mem = { addr: word(d, 3), blockSize: word(d, 2), nextSeq: 0 };
        return this.ok(req.op);
      case OP.MEM_DATA:
        return this.memData(req);
      case OP.MEM_END: {
        if (d.length !== 8) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
        const [flag, entry] = [word(d, 0), word(d, 1)];
        this.ok(req.op);
        if (flag === 0 && this.uploaded.some(([a, b]) => entry >= a && entry < b)) ctx.enterStub();
        return;
      }
      case OP.FLASH_BEGIN:
      case OP.FLASH_DEFL_BEGIN:
        return this.flashBegin(req);
      case OP.FLASH_DATA:
      case OP.FLASH_DEFL_DATA:
        return this.flashData(req);
      case OP.FLASH_END:
      case OP.FLASH_DEFL_END:
        if (d.length !== 4) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
        if (word(d, 0) === 0) return this.ok(req.op);
        // Flag 1 = "run user code": answered 01 06, and the ROM leaves download mode (§11).
        this.fail(req.op, ROM_ERR.RESULT_WRONG);
        return ctx.runUserCode();
      case OP.SPI_FLASH_MD5: {
        if (d.length !== 16) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
        const [addr, size] = [word(d, 0), word(d, 1)];
        if (!ctx.flash.inRange(addr, size)) return this.fail(req.op, ROM_ERR.FLASH_READ, this.lastDigest);
        const hex = Buffer.from(ctx.md5(addr, size)).toString("hex");
        this.lastDigest = new Uint8Array(Buffer.from(hex, "latin1"));
        return this.ok(req.op, this.lastDigest);
      }
      case OP.READ_FLASH_SLOW: {
        if (d.length !== 8 || word(d, 1) > PROTO.READ_FLASH_SLOW_BYTES) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
        const addr = word(d, 0);
        if (!ctx.flash.inRange(addr, word(d, 1))) return this.fail(req.op, ROM_ERR.FLASH_READ);
        const out = new Uint8Array(PROTO.READ_FLASH_SLOW_BYTES).fill(0xff);
        out.set(ctx.flash.bytes.subarray(addr, Math.min(addr + PROTO.READ_FLASH_SLOW_BYTES, ctx.flash.sizeBytes)));
        ctx.work({ readBytes: PROTO.READ_FLASH_SLOW_BYTES });
        return this.ok(req.op, out);
      }
      case OP.GET_SECURITY_INFO:
        if (ctx.spec.romSecurityInfoBytes === 0) return this.unsupported();
        return this.ok(req.op, ctx.securityInfo(ctx.spec.romSecurityInfoBytes));
      default:
        return this.unsupported();
    }
  }

  private memData(req: Request): void {
    const d = req.data;
    const len = word(d, 0);
    if (!this.mem || d.length < 16 || len !== d.length - 16) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
    if (word(d, 1) !== this.mem.nextSeq) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
    if (dataChecksum(d.subarray(16)) !== req.checksum) return this.fail(req.op, ROM_ERR.CHECKSUM);
    const start = this.mem.addr + this.mem.nextSeq * this.mem.blockSize;
    this.uploaded.push([start, start + len]);
    this.mem.nextSeq++;
    this.ok(req.op);
  }

  private flashBegin(req: Request): void {
    const { ctx } = this;
    const d = req.data;
    // The real ROMs accept exactly one payload length (§2.2, §11): 20 bytes on ESP32 → 01 05.
    if (d.length !== ctx.spec.romFlashBeginBytes) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
    const [size, , blockSize, offset] = [word(d, 0), word(d, 1), word(d, 2), word(d, 3)];
    if (blockSize > PROTO.ROM_MAX_FLASH_BLOCK || blockSize === 0) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
    const compressed = req.op === OP.FLASH_DEFL_BEGIN;
    const session = (): RomFlashSession => ({ offset, blockSize, nextSeq: 0, writer: new FlashWriteSession(ctx.flash, offset, size, compressed, "done") });
    const sectors = Math.ceil(size / PROTO.SECTOR_BYTES);
    if (offset % PROTO.SECTOR_BYTES !== 0 || !ctx.flash.inRange(offset, sectors * PROTO.SECTOR_BYTES)) {
      // Nothing erased, but the offset is kept: later FLASH_DATA lands on unerased flash (§11).
      if (ctx.flash.inRange(offset, size)) this.flashSession = session();
      return this.fail(req.op, ROM_ERR.RESULT_WRONG);
    }
    // Exactly ceil(size / 4 KiB) sectors, erased now (§11).
    for (let i = 0; i < sectors; i++) ctx.flash.eraseSector(offset + i * PROTO.SECTOR_BYTES);
    ctx.work({ sectors });
    this.flashSession = session();
    this.ok(req.op);
  }

  private flashData(req: Request): void {
    const { ctx } = this;
    const d = req.data;
    const s = this.flashSession;
    const len = word(d, 0);
    if (!s || d.length < 16 || len !== d.length - 16) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
    if (word(d, 1) !== s.nextSeq) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
    const block = d.subarray(16);
    if (dataChecksum(block) !== req.checksum) return this.fail(req.op, ROM_ERR.CHECKSUM);
    const compressed = req.op === OP.FLASH_DEFL_DATA;
    if (compressed !== s.writer.compressed) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
    const fraction = ctx.powerLossPending ? 0.5 : 1;
    try {
      if (compressed) {
        ctx.work(s.writer.write(block, fraction));
      } else {
        // Plain blocks are written whole, 0xFF padding included, at offset + seq * block_size.
        if (len !== s.blockSize) return this.fail(req.op, ROM_ERR.BAD_FORMAT);
        const addr = s.offset + s.nextSeq * s.blockSize;
        if (!ctx.flash.inRange(addr, len)) return this.fail(req.op, ROM_ERR.FLASH_WRITE);
        const part = block.subarray(0, Math.floor(len * fraction));
        const exact = ctx.flash.program(addr, part);
        ctx.work({ programBytes: part.length });
        if (!exact && fraction === 1) throw new FlashWriteError("verify");
      }
    } catch (e) {
      if (!(e instanceof FlashWriteError)) throw e;
      if (ctx.powerLossPending) return ctx.powerLoss();
      return this.fail(req.op, e.kind === "inflate" ? ROM_ERR.DEFLATE : ROM_ERR.FLASH_WRITE);
    }
    if (ctx.powerLossPending) return ctx.powerLoss();
    s.nextSeq++;
    this.ok(req.op);
  }

  private ok(op: number, payload: Uint8Array = new Uint8Array(0), copies = 1): void {
    this.ctx.respond(op, this.sticky, payload, Uint8Array.from([0, 0, 0, 0]), copies);
    this.last = { op, copies };
  }

  private fail(op: number, error: number, payload: Uint8Array = new Uint8Array(0)): void {
    this.ctx.respond(op, this.sticky, payload, Uint8Array.from([1, error & 0xff, 0, 0]));
    this.last = { op, copies: 1 };
  }

  /** §1.6/§11: re-send the previous reply (its opcode, the sticky value, size 4) with status 01 05. */
  private unsupported(): void {
    this.ctx.respond(this.last.op, this.sticky, new Uint8Array(0), Uint8Array.from([1, ROM_ERR.BAD_FORMAT, 0, 0]), this.last.copies);
  }
}
