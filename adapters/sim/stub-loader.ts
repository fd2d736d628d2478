/**
 * The flasher stub personality (esp-flasher-stub behaviour, PROTOCOL.md §1.4, §1.5, §2.2–§2.5):
 * 2 status bytes with 0xC? codes, SYNC value 0, raw 16-byte MD5, whole-chip and region erase,
 * flow-controlled READ_FLASH, lazily erasing writes acknowledged before they are programmed.
 * Work done after the reply (writing a data block, streaming READ_FLASH, changing the baud rate)
 * reports its error on the next command instead of running it. Every rule below was checked
 * against the real stub in QEMU (test/qemu/agreement).
 */
import { eraseExtent, FlashWriteError, FlashWriteSession } from "./flash-writer.js";
import { IncrementalInflate } from "./inflate.js";
import { type LoaderContext, type Request, word } from "./loader-context.js";
import { dataChecksum, OP, PROTO, STUB_ERR } from "./protocol-constants.js";
import { securityInfoPayload } from "./security-info.js";
import { StubReadStream } from "./stub-read-stream.js";

/** Payload sizes the stub insists on (esp-flasher-stub `commands.h`). */
const SIZE = { SYNC: 36, FLASH_END: 4, MEM_BEGIN: 16, MEM_END: 8, READ_REG: 4, SPI_ATTACH: 4, SPI_SET_PARAMS: 24, CHANGE_BAUDRATE: 8, MD5: 16, READ_FLASH: 16, ERASE_REGION: 8, DATA_HEADER: 16 } as const;

/** MEM_BEGIN..MEM_END through the stub: bytes still expected. */
interface MemUpload {
  remaining: number;
}

/** The stub's state machine. */
export class StubLoader {
  private writer: FlashWriteSession | undefined;
  /** The stub's one inflate state: set up by FLASH_DEFL_BEGIN only, whatever session follows. */
  private inflater: IncrementalInflate | undefined;
  private mem: MemUpload | undefined;
  private deferredError: number | undefined;
  private reading: StubReadStream | undefined;
  /** After CHANGE_BAUDRATE 0 or a write that stalls, the stub never reads the UART again. */
  private deaf = false;
  /** First two bytes of the two frame buffers, which frames use in turn: a 1-byte frame's opcode is stale. */
  private readonly bufferHeads: [number, number][] = [[0, 0], [0, 0]];
  private bufferIndex = 0;

  constructor(private readonly ctx: LoaderContext) {}

  /** True while READ_FLASH waits for the host's acknowledgements. */
  get streaming(): boolean {
    return this.reading?.open === true;
  }

  /** Handles one frame (a request, or a READ_FLASH acknowledgement while streaming). */
  handleFrame(frame: Uint8Array, _req: Request | undefined, forcedError?: number): void {
    if (this.deaf) return;
    const head = this.bufferHeads[this.bufferIndex] as [number, number];
    this.bufferIndex ^= 1;
    frame.subarray(0, 2).forEach((b, i) => (head[i] = b));
    if (this.reading?.open) {
      const error = this.reading.onFrame(frame);
      if (error !== undefined) this.deferredError = error;
      return;
    }
    this.handle(frame, head, forcedError);
  }

  private handle(frame: Uint8Array, head: [number, number], forcedError?: number): void {
    // Header fields come from the frame buffer: a frame shorter than 8 bytes leaves stale bytes in
    // it, so its size can never match; direction and opcode of a 1-byte frame are stale too.
    const [direction, op] = head;
    if (direction !== 0) return this.fail(op, STUB_ERR.INVALID_COMMAND);
    const d = frame.subarray(8);
    if (frame.length < 8 || new DataView(frame.buffer, frame.byteOffset).getUint16(2, true) !== d.length) {
      return this.fail(op, STUB_ERR.BAD_DATA_LEN);
    }
    if (this.deferredError !== undefined) {
      // The previous command's post-processing failed: this command answers with that error instead.
      const code = this.deferredError;
      this.deferredError = undefined;
      return this.fail(op, code);
    }
    if (forcedError !== undefined) return this.fail(op, forcedError);
    const checksum = new DataView(frame.buffer, frame.byteOffset).getUint32(4, true);
    this.dispatch({ direction, op, sizeField: d.length, checksum, data: d });
  }

  private dispatch(req: Request): void {
    const { ctx } = this;
    const d = req.data;
    const op = req.op;
    switch (op) {
      case OP.SYNC:
        // The pattern is not checked, only the length.
        return d.length === SIZE.SYNC ? this.ok(op, 0, undefined, PROTO.SYNC_REPLIES) : this.fail(op, STUB_ERR.BAD_DATA_LEN);
      case OP.READ_REG:
        return d.length === SIZE.READ_REG ? this.ok(op, ctx.regs.read(word(d, 0))) : this.fail(op, STUB_ERR.BAD_DATA_LEN);
      case OP.WRITE_REG:
        if (d.length === 0 || d.length % 16 !== 0) return this.fail(op, STUB_ERR.NOT_ENOUGH_DATA);
        for (let i = 0; i < d.length / 16; i++) {
          ctx.work(word(d, i * 4 + 3) / 1e6);
          ctx.regs.write(word(d, i * 4), word(d, i * 4 + 1), word(d, i * 4 + 2));
        }
        return this.ok(op);
      case OP.MEM_BEGIN:
      case OP.MEM_DATA:
      case OP.MEM_END:
        return this.memory(req);
      case OP.SPI_ATTACH:
        return d.length === SIZE.SPI_ATTACH ? this.ok(op) : this.fail(op, STUB_ERR.BAD_DATA_LEN);
      case OP.SPI_SET_PARAMS:
        return d.length === SIZE.SPI_SET_PARAMS ? this.ok(op) : this.fail(op, STUB_ERR.BAD_DATA_LEN);
      case OP.CHANGE_BAUDRATE:
        if (d.length !== SIZE.CHANGE_BAUDRATE) return this.fail(op, STUB_ERR.BAD_DATA_LEN);
        this.ok(op); // the new rate applies after the reply; 0 leaves a UART that hears nothing
        if (word(d, 0) === 0) this.deaf = true;
        else ctx.setUartBaud(word(d, 0));
        return;
      case OP.FLASH_BEGIN:
      case OP.FLASH_DEFL_BEGIN:
        return this.flashBegin(req);
      case OP.FLASH_DATA:
      case OP.FLASH_DEFL_DATA:
        return this.flashData(req);
      case OP.FLASH_END:
      case OP.FLASH_DEFL_END: {
        if (d.length !== SIZE.FLASH_END) return this.fail(op, STUB_ERR.BAD_DATA_LEN);
        if (!this.writer) return this.fail(op, STUB_ERR.NOT_IN_FLASH_MODE);
        if (this.writer.remainingBytes !== 0) return this.fail(op, STUB_ERR.BAD_DATA_LEN);
        this.writer = undefined;
        return this.ok(op); // reboot on flag 0 is unimplemented in esp-flasher-stub (§2.2)
      }
      case OP.SPI_FLASH_MD5: {
        if (d.length !== SIZE.MD5) return this.fail(op, STUB_ERR.BAD_DATA_LEN);
        const [addr, size] = [word(d, 0), word(d, 1)];
        if (!ctx.flash.inRange(addr, size)) return this.fail(op, STUB_ERR.FAILED_SPI_OP);
        return this.ok(op, 0, ctx.md5(addr, size));
      }
      case OP.GET_SECURITY_INFO:
        if (d.length !== 0) return this.fail(op, STUB_ERR.BAD_DATA_LEN);
        if (ctx.spec.romSecurityInfoBytes === 0) return this.fail(op, STUB_ERR.CMD_NOT_IMPLEMENTED);
        return this.ok(op, 0, securityInfoPayload(ctx, ctx.spec.romSecurityInfoBytes));
      case OP.ERASE_FLASH:
        ctx.work(eraseExtent(ctx.flash, 0, ctx.flash.sizeBytes));
        return this.ok(op);
      case OP.ERASE_REGION:
        return this.eraseRegion(req);
      case OP.READ_FLASH: {
        if (d.length !== SIZE.READ_FLASH) return this.fail(op, STUB_ERR.BAD_DATA_LEN);
        this.ok(op);
        // esp-flasher-stub keeps one packet in flight whatever max_in_flight says (§2.4).
        const { stream, error } = StubReadStream.start(ctx, word(d, 0), word(d, 1), word(d, 2));
        this.reading = stream;
        this.deferredError = error;
        return;
      }
      case OP.RUN_USER_CODE:
        return; // no response, and (reset unimplemented in the stub) the stub keeps running
      default:
        // Plugin opcodes without a plugin → CMD_NOT_IMPLEMENTED; anything else is unknown.
        return this.fail(op, op >= 0xd5 && op <= 0xef ? STUB_ERR.CMD_NOT_IMPLEMENTED : STUB_ERR.INVALID_COMMAND);
    }
  }

  private memory(req: Request): void {
    const d = req.data;
    const op = req.op;
    if (op === OP.MEM_BEGIN) {
      if (d.length !== SIZE.MEM_BEGIN) return this.fail(op, STUB_ERR.BAD_DATA_LEN);
      this.mem = { remaining: word(d, 0) };
      return this.ok(op);
    }
    if (op === OP.MEM_DATA) {
      if (d.length < SIZE.DATA_HEADER) return this.fail(op, STUB_ERR.NOT_ENOUGH_DATA);
      if (!this.mem) return this.fail(op, STUB_ERR.NOT_IN_FLASH_MODE);
      const len = word(d, 0);
      // No checksum check through the stub; the bytes go straight to RAM (not modelled further).
      if (len > this.mem.remaining || len !== d.length - SIZE.DATA_HEADER) return this.fail(op, STUB_ERR.TOO_MUCH_DATA);
      this.mem.remaining -= len;
      return this.ok(op);
    }
    if (d.length !== SIZE.MEM_END) return this.fail(op, STUB_ERR.BAD_DATA_LEN);
    if (!this.mem) return this.fail(op, STUB_ERR.NOT_IN_FLASH_MODE);
    this.mem = undefined;
    return this.ok(op); // flag 0 would jump to the entry point: code the simulator cannot run
  }

  private flashBegin(req: Request): void {
    const { ctx } = this;
    const d = req.data;
    if (d.length !== 16 && d.length !== 20) return this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
    const [size, offset] = [word(d, 0), word(d, 3)];
    const compressed = req.op === OP.FLASH_DEFL_BEGIN;
    if (compressed) this.inflater = new IncrementalInflate();
    // The session is open even when the first erase fails: data sent next is accepted and its
    // write fails on the following command (observed on the real stub).
    this.writer = new FlashWriteSession(ctx.flash, offset, size, false, "lazy", "keep");
    try {
      ctx.work(this.writer.eraseFirst());
    } catch (e) {
      if (!(e instanceof FlashWriteError)) throw e;
      return this.fail(req.op, STUB_ERR.FAILED_SPI_OP);
    }
    return this.ok(req.op);
  }

  private flashData(req: Request): void {
    const { ctx } = this;
    const d = req.data;
    const w = this.writer;
    const compressed = req.op === OP.FLASH_DEFL_DATA;
    if (d.length < SIZE.DATA_HEADER) return this.fail(req.op, compressed ? STUB_ERR.BAD_DATA_LEN : STUB_ERR.NOT_ENOUGH_DATA);
    if (!w) return this.fail(req.op, STUB_ERR.NOT_IN_FLASH_MODE);
    // Either kind of data is accepted in either kind of session: the stub only checks that one is open.
    const len = word(d, 0);
    if (!compressed && len !== d.length - SIZE.DATA_HEADER) return this.fail(req.op, STUB_ERR.TOO_MUCH_DATA);
    // FLASH_DEFL_DATA trusts its length field: checksum and inflate cover that many bytes.
    const block = d.subarray(SIZE.DATA_HEADER, SIZE.DATA_HEADER + len);
    if (dataChecksum(block) !== req.checksum) return this.fail(req.op, STUB_ERR.BAD_DATA_CHECKSUM);
    if (ctx.powerLossPending) {
      // Power fails while this packet is being programmed: no ACK, half the bytes land.
      try {
        w.write(this.plainBytes(block, compressed), 0.5, compressed);
      } catch {
        // the chip is going down anyway
      }
      return ctx.powerLoss();
    }
    this.ok(req.op); // ACK first, then program while the next packet arrives (§2.2)
    try {
      ctx.background(w.write(this.plainBytes(block, compressed), 1, compressed));
    } catch (e) {
      if (!(e instanceof FlashWriteError)) throw e;
      if (e.kind === "stall") this.deaf = true;
      this.deferredError = e.kind === "inflate" ? STUB_ERR.INFLATE_ERROR : STUB_ERR.FAILED_SPI_OP;
    }
  }

  /** The bytes a data block puts into flash: itself, or what it inflates to. */
  private plainBytes(block: Uint8Array, compressed: boolean): Uint8Array {
    if (!compressed) return block;
    this.inflater ??= new IncrementalInflate();
    try {
      return this.inflater.push(block);
    } catch {
      throw new FlashWriteError("inflate");
    }
  }

  private eraseRegion(req: Request): void {
    const { ctx } = this;
    const d = req.data;
    const [addr, size] = [word(d, 0), word(d, 1)];
    if (d.length !== SIZE.ERASE_REGION || addr % PROTO.SECTOR_BYTES !== 0 || size % PROTO.SECTOR_BYTES !== 0) return this.fail(req.op, STUB_ERR.BAD_DATA_LEN);
    // No range check: the flash chip ignores address bits above its size, so an address past the
    // end erases from the start again (observed on QEMU: ERASE_REGION at 4 MiB erased sector 0).
    let start = addr % ctx.flash.sizeBytes;
    for (let left = size; left > 0; start = 0) {
      const end = Math.min(start + left, ctx.flash.sizeBytes);
      ctx.work(eraseExtent(ctx.flash, start, end));
      left -= end - start;
    }
    return this.ok(req.op);
  }

  private ok(op: number, value = 0, payload: Uint8Array = new Uint8Array(0), copies = 1): void {
    this.ctx.respond(op, value, payload, Uint8Array.from([0, 0]), copies);
  }

  private fail(op: number, code: number): void {
    this.ctx.respond(op, 0, new Uint8Array(0), Uint8Array.from([code & 0xff, 0]));
  }
}
