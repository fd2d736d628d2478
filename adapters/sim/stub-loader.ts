/**
 * The flasher stub personality (esp-flasher-stub behaviour, PROTOCOL.md §1.4, §1.5, §2.2–§2.4):
 * 2 status bytes with 0xC? codes, SYNC value 0, raw 16-byte MD5, whole-chip and region erase,
 * flow-controlled READ_FLASH, lazily erasing writes acknowledged before they are programmed
 * (errors of that deferred write answer the next command).
 */
import { createHash, type Hash } from "node:crypto";
import { eraseExtent, FlashWriteError, FlashWriteSession } from "./flash-writer.js";
import { type LoaderContext, type Request, word } from "./loader-context.js";
import { dataChecksum, OP, PROTO, STUB_ERR } from "./protocol-constants.js";

interface ReadStream {
  next: number;
  end: number;
  packetBytes: number;
  sent: number;
  hash: Hash;
}

/** The stub's state machine. */
export class StubLoader {
  private writer: FlashWriteSession | undefined;
  private deferredError: number | undefined;
  private reading: ReadStream | undefined;

  constructor(private readonly ctx: LoaderContext) {}

  /** True while READ_FLASH waits for the host's acknowledgements. */
  get streaming(): boolean {
    return this.reading !== undefined;
  }

  /** Handles one frame (a request, or a READ_FLASH acknowledgement while streaming). */
  handleFrame(frame: Uint8Array, req: Request | undefined, forcedError?: number): void {
    if (this.reading) {
      if (frame.length === 4) return this.readAck(frame);
      this.reading = undefined; // the host gave up on the stream and sent a command
    }
    if (!req) return;
    this.handle(req, forcedError);
  }

  private handle(req: Request, forcedError?: number): void {
    const { ctx } = this;
    const d = req.data;
    if (req.direction !== 0) return this.fail(req.op, STUB_ERR.INVALID_COMMAND);
    if (this.deferredError !== undefined) {
      // esp-flasher-stub answers the next command with the deferred write's error instead of running it.
      const code = this.deferredError;
      this.deferredError = undefined;
      return this.fail(req.op, code);
    }
    if (forcedError !== undefined) return this.fail(req.op, forcedError);
    if (req.sizeField !== d.length) return this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
    switch (req.op) {
      case OP.SYNC:
        return this.ok(req.op, 0, undefined, PROTO.SYNC_REPLIES);
      case OP.READ_REG:
        return d.length === 4 ? this.ok(req.op, ctx.regs.read(word(d, 0))) : this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
      case OP.WRITE_REG:
        if (d.length === 0 || d.length % 16 !== 0) return this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
        for (let i = 0; i < d.length / 16; i++) {
          ctx.work(word(d, i * 4 + 3) / 1e6);
          ctx.regs.write(word(d, i * 4), word(d, i * 4 + 1), word(d, i * 4 + 2));
        }
        return this.ok(req.op);
      case OP.MEM_BEGIN:
      case OP.MEM_DATA:
      case OP.MEM_END:
        return this.ok(req.op); // RAM loads through the stub are accepted and not modelled further
      case OP.SPI_ATTACH:
        return d.length === 4 ? this.ok(req.op) : this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
      case OP.SPI_SET_PARAMS:
        return d.length === 24 ? this.ok(req.op) : this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
      case OP.CHANGE_BAUDRATE:
        if (d.length !== 8 || word(d, 0) === 0) return this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
        this.ok(req.op);
        return ctx.setUartBaud(word(d, 0));
      case OP.FLASH_BEGIN:
      case OP.FLASH_DEFL_BEGIN: {
        if (d.length !== 16 && d.length !== 20) return this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
        const [size, offset] = [word(d, 0), word(d, 3)];
        if (!ctx.flash.inRange(offset, size)) return this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
        this.writer = new FlashWriteSession(ctx.flash, offset, size, req.op === OP.FLASH_DEFL_BEGIN, "lazy");
        return this.ok(req.op);
      }
      case OP.FLASH_DATA:
      case OP.FLASH_DEFL_DATA:
        return this.flashData(req);
      case OP.FLASH_END:
      case OP.FLASH_DEFL_END: {
        if (!this.writer) return this.fail(req.op, STUB_ERR.NOT_IN_FLASH_MODE);
        if (this.writer.remainingBytes > 0) return this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
        this.writer = undefined;
        return this.ok(req.op); // reboot on flag 0 is unimplemented in esp-flasher-stub (§2.2)
      }
      case OP.SPI_FLASH_MD5: {
        const [addr, size] = [word(d, 0), word(d, 1)];
        if (d.length !== 16) return this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
        if (!ctx.flash.inRange(addr, size)) return this.fail(req.op, STUB_ERR.FAILED_SPI_OP);
        return this.ok(req.op, 0, ctx.md5(addr, size));
      }
      case OP.GET_SECURITY_INFO:
        if (ctx.spec.romSecurityInfoBytes === 0) return this.fail(req.op, STUB_ERR.CMD_NOT_IMPLEMENTED);
        return this.ok(req.op, 0, ctx.securityInfo(ctx.spec.romSecurityInfoBytes));
      case OP.ERASE_FLASH:
        ctx.work(eraseExtent(ctx.flash, 0, ctx.flash.sizeBytes));
        return this.ok(req.op);
      case OP.ERASE_REGION: {
        const [addr, size] = [word(d, 0), word(d, 1)];
        if (d.length !== 8 || addr % PROTO.SECTOR_BYTES !== 0 || size % PROTO.SECTOR_BYTES !== 0) return this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
        if (!ctx.flash.inRange(addr, size)) return this.fail(req.op, STUB_ERR.FAILED_SPI_OP);
        ctx.work(eraseExtent(ctx.flash, addr, addr + size));
        return this.ok(req.op);
      }
      case OP.READ_FLASH:
        return this.readFlash(req);
      case OP.RUN_USER_CODE:
        return ctx.runUserCode(); // no response, §2
      default:
        // Plugin opcodes without a plugin → CMD_NOT_IMPLEMENTED; anything else is unknown.
        return this.fail(req.op, req.op >= 0xd5 && req.op <= 0xef ? STUB_ERR.CMD_NOT_IMPLEMENTED : STUB_ERR.INVALID_COMMAND);
    }
  }

  private flashData(req: Request): void {
    const { ctx } = this;
    const d = req.data;
    const w = this.writer;
    const compressed = req.op === OP.FLASH_DEFL_DATA;
    if (!w || w.compressed !== compressed) return this.fail(req.op, STUB_ERR.NOT_IN_FLASH_MODE);
    if (d.length < 16 || word(d, 0) !== d.length - 16) return this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
    const block = d.subarray(16);
    if (dataChecksum(block) !== req.checksum) return this.fail(req.op, STUB_ERR.BAD_DATA_CHECKSUM);
    if (ctx.powerLossPending) {
      // Power fails while this packet is being programmed: no ACK, half the bytes land.
      try {
        w.write(block, 0.5);
      } catch {
        // the chip is going down anyway
      }
      return ctx.powerLoss();
    }
    this.ok(req.op); // ACK first, then program while the next packet arrives (§2.2)
    try {
      ctx.background(w.write(block));
    } catch (e) {
      if (!(e instanceof FlashWriteError)) throw e;
      this.deferredError = e.kind === "inflate" ? STUB_ERR.INFLATE_ERROR : e.kind === "too-much-data" ? STUB_ERR.TOO_MUCH_DATA : STUB_ERR.FAILED_SPI_OP;
    }
  }

  private readFlash(req: Request): void {
    const { ctx } = this;
    const d = req.data;
    const [addr, size, packetBytes] = [word(d, 0), word(d, 1), word(d, 2)];
    if (d.length !== 16 || packetBytes === 0 || packetBytes > PROTO.STUB_MAX_READ_PACKET) return this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
    if (!ctx.flash.inRange(addr, size)) return this.fail(req.op, STUB_ERR.FAILED_SPI_OP);
    this.ok(req.op);
    // esp-flasher-stub keeps one packet in flight whatever max_in_flight says (§2.4).
    this.reading = { next: addr, end: addr + size, packetBytes, sent: 0, hash: createHash("md5") };
    this.sendReadPacket();
  }

  private sendReadPacket(): void {
    const r = this.reading;
    if (!r) return;
    if (r.next >= r.end) {
      this.reading = undefined;
      this.ctx.sendFrame(new Uint8Array(r.hash.digest()));
      return;
    }
    const n = Math.min(r.packetBytes, r.end - r.next);
    const chunk = this.ctx.flash.read(r.next, n);
    this.ctx.work({ readBytes: n });
    r.hash.update(chunk);
    r.next += n;
    r.sent += n;
    this.ctx.sendFrame(chunk);
  }

  private readAck(frame: Uint8Array): void {
    const r = this.reading;
    if (!r) return;
    const acked = word(frame, 0);
    if (acked < r.sent) return; // stale acknowledgement: keep waiting
    this.sendReadPacket();
  }

  private ok(op: number, value = 0, payload: Uint8Array = new Uint8Array(0), copies = 1): void {
    this.ctx.respond(op, value, payload, Uint8Array.from([0, 0]), copies);
  }

  private fail(op: number, code: number): void {
    this.ctx.respond(op, 0, new Uint8Array(0), Uint8Array.from([code & 0xff, 0]));
  }
}
