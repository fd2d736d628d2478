/**
 * The packet layer of esptool.py v5 (`loader.py` ESPLoader), re-stated for tests: `command` with
 * its 100-packet search for the reply of the same opcode and its "unsupported command" detection
 * (§1.6), `check_command` with the status bytes located right after the expected payload (§1.4),
 * the XOR checksum seeded with 0xEF (§1.7), the per-command timeouts (§7), and the SPI
 * user-command sequence (§3.4). Every request and reply is recorded for assertions.
 */
import { FatalError, SlipSocket } from "./slip-socket.js";
import type { EsptoolChipClass } from "./chip-classes.js";

/** Opcodes (§2). */
export const OP = {
  FLASH_BEGIN: 0x02, FLASH_DATA: 0x03, FLASH_END: 0x04, MEM_BEGIN: 0x05, MEM_END: 0x06, MEM_DATA: 0x07, SYNC: 0x08,
  WRITE_REG: 0x09, READ_REG: 0x0a, SPI_SET_PARAMS: 0x0b, SPI_ATTACH: 0x0d, READ_FLASH_SLOW: 0x0e, CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10, FLASH_DEFL_DATA: 0x11, FLASH_DEFL_END: 0x12, SPI_FLASH_MD5: 0x13, GET_SECURITY_INFO: 0x14,
  ERASE_FLASH: 0xd0, ERASE_REGION: 0xd1, READ_FLASH: 0xd2,
} as const;

/** Timeouts of esptool.py (§7), in ms. */
export const TIMEOUT_MS = { DEFAULT: 3000, SYNC: 100, MEM_END_ROM: 200, CHIP_ERASE: 120_000 } as const;

/** `timeout_per_mb`: scaled, never below the default. */
export function timeoutPerMb(secondsPerMb: number, sizeBytes: number): number {
  return Math.max(TIMEOUT_MS.DEFAULT, secondsPerMb * (sizeBytes / 1e6) * 1000);
}

/** esptool's `UnsupportedCommandError` (not a FatalError: `get_security_info` does not retry it). */
export class UnsupportedCommandError extends Error {
  constructor(readonly op: number) {
    super(`Invalid (unsupported) command 0x${op.toString(16)}`);
  }
}

/** One request as sent. */
export interface WireRequest {
  readonly op: number;
  readonly data: Uint8Array;
}

/** One reply as received (`forOp` = the request it was read for). */
export interface WireReply {
  readonly forOp: number | undefined;
  readonly op: number;
  readonly value: number;
  readonly data: Uint8Array;
}

/** u32 little-endian words → bytes (`struct.pack("<I…")`). */
export function pack(...words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const v = new DataView(out.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
  return out;
}

/** `ESPLoader.checksum`. */
export function checksum(data: Uint8Array): number {
  let state = 0xef;
  for (const b of data) state ^= b;
  return state;
}

/** The loader object: one per esptool.py run, ROM or stub personality. */
export class EsptoolPyLoader {
  /** `IS_STUB`. */
  isStub = false;
  syncStubDetected = false;
  readonly requests: WireRequest[] = [];
  readonly replies: WireReply[] = [];
  /** Cached `flash_id` (esptool's per-connection cache). */
  flashIdCache: number | undefined;

  constructor(readonly port: SlipSocket, public chip: EsptoolChipClass | undefined) {}

  /** `ESPLoader.command`. */
  async command(op?: number, data: Uint8Array = new Uint8Array(0), chk = 0, timeoutMs: number = TIMEOUT_MS.DEFAULT, waitResponse = true): Promise<{ value: number; data: Uint8Array } | undefined> {
    if (op !== undefined) {
      const pkt = new Uint8Array(8 + data.length);
      const v = new DataView(pkt.buffer);
      v.setUint8(1, op);
      v.setUint16(2, data.length, true);
      v.setUint32(4, chk >>> 0, true);
      pkt.set(data, 8);
      this.requests.push({ op, data: data.slice() });
      this.port.write(pkt);
    }
    if (!waitResponse) return undefined;
    for (let retry = 0; retry < 100; retry++) {
      const p = await this.port.readFrame(timeoutMs);
      if (p.length < 8) continue;
      const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
      if (v.getUint8(0) !== 1) continue;
      const opRet = v.getUint8(1);
      const value = v.getUint32(4, true);
      const body = p.subarray(8);
      this.replies.push({ forOp: op, op: opRet, value, data: body.slice() });
      if (op === undefined || opRet === op) return { value, data: body };
      if ((body[0] ?? 0) !== 0 && body[1] === 0x05) {
        // drain_input_buffer(0.2): sleep, read up to 8×14 bytes, flush.
        await this.port.sleep(200);
        this.port.drainRaw(14 * 8);
        this.port.flushInput();
        throw new UnsupportedCommandError(op);
      }
    }
    throw new FatalError("Response doesn't match request.");
  }

  /** `ESPLoader.check_command` (v5): two status bytes right after `respDataLen` bytes. */
  async checkCommand(what: string, op: number, data: Uint8Array = new Uint8Array(0), chk = 0, respDataLen = 0, timeoutMs: number = TIMEOUT_MS.DEFAULT): Promise<number | Uint8Array> {
    const r = (await this.command(op, data, chk, timeoutMs)) as { value: number; data: Uint8Array };
    if (r.data.length < respDataLen + 2) {
      const status = r.data.subarray(0, 2);
      if ((status[0] ?? 0) !== 0) throw new FatalError(`Failed to ${what} (result was ${Buffer.from(status).toString("hex")})`, status);
      throw new FatalError(`Failed to ${what}. Only got ${r.data.length} byte status response.`);
    }
    const status = r.data.subarray(respDataLen, respDataLen + 2);
    if (status[0] !== 0) throw new FatalError(`Failed to ${what} (result was ${Buffer.from(status).toString("hex")})`, status.slice());
    return respDataLen > 0 ? r.data.slice(0, respDataLen) : r.value;
  }

  /** `ESPLoader.sync`: one SYNC, then 7 more replies. */
  async sync(): Promise<void> {
    const sync = Uint8Array.from([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);
    const first = (await this.command(OP.SYNC, sync, 0, TIMEOUT_MS.SYNC)) as { value: number };
    this.syncStubDetected = first.value === 0;
    for (let i = 0; i < 7; i++) {
      const r = (await this.command()) as { value: number };
      this.syncStubDetected &&= r.value === 0;
    }
  }

  /** `_connect_attempt` in "no-reset" mode (forced for socket://): up to 5 flush + SYNC tries. */
  async connect(attempts = 7): Promise<void> {
    let last: unknown;
    for (let a = 0; a < attempts; a++) {
      for (let i = 0; i < 5; i++) {
        try {
          this.port.flushInput();
          await this.sync();
          return;
        } catch (e) {
          if (!(e instanceof FatalError)) throw e;
          last = e;
          await this.port.sleep(50);
        }
      }
    }
    throw new FatalError(`Failed to connect: ${(last as Error).message}`);
  }

  async readReg(addr: number, timeoutMs: number = TIMEOUT_MS.DEFAULT): Promise<number> {
    return (await this.checkCommand("read target memory", OP.READ_REG, pack(addr), 0, 0, timeoutMs)) as number;
  }

  async writeReg(addr: number, value: number, mask = 0xffffffff, delayUs = 0): Promise<void> {
    await this.checkCommand("write target memory", OP.WRITE_REG, pack(addr, value, mask, delayUs));
  }

  /** `run_spiflash_command` (§3.4) for reads of ≤ 32 bits without MOSI data. */
  async runSpiflashCommand(command: number, readBits = 0, addr?: number, addrLen = 0, dummyLen = 0): Promise<number> {
    const spi = this.requireChip().spi;
    const base = spi.base;
    const oldUsr = await this.readReg(base + spi.usr);
    const oldUsr2 = await this.readReg(base + spi.usr2);
    let flags = 1 << 31;
    if (readBits > 0) flags |= 1 << 28;
    if (addrLen > 0) flags |= 1 << 30;
    if (dummyLen > 0) flags |= 1 << 29;
    // set_data_lengths (ESP32 and later): MISO_DLEN, then USR1 with address/dummy lengths.
    if (readBits > 0) await this.writeReg(base + spi.misoDlen, readBits - 1);
    let usr1 = 0;
    if (dummyLen > 0) usr1 |= dummyLen - 1;
    if (addrLen > 0) usr1 |= (addrLen - 1) << 26;
    if (usr1) await this.writeReg(base + spi.usr1, usr1);
    await this.writeReg(base + spi.usr, flags >>> 0);
    await this.writeReg(base + spi.usr2, ((7 << 28) | command) >>> 0);
    if (addrLen > 0 && addr !== undefined) await this.writeReg(base + 0x04, spi.addrMsb ? (addr << (32 - addrLen)) >>> 0 : addr);
    await this.writeReg(base + spi.w0, 0);
    await this.writeReg(base, 1 << 18);
    let done = false;
    for (let i = 0; i < 10 && !done; i++) done = ((await this.readReg(base)) & (1 << 18)) === 0;
    if (!done) throw new FatalError("SPI command did not complete in time");
    const status = await this.readReg(base + spi.w0);
    await this.writeReg(base + spi.usr, oldUsr);
    await this.writeReg(base + spi.usr2, oldUsr2);
    return status;
  }

  /** `flash_id` with esptool's cache. */
  async flashId(cache = true): Promise<number> {
    if (!cache || this.flashIdCache === undefined) this.flashIdCache = await this.runSpiflashCommand(0x9f, 24);
    return this.flashIdCache;
  }

  /** `read_spiflash_sfdp`. */
  readSpiflashSfdp(addr: number, readBits: number): Promise<number> {
    return this.runSpiflashCommand(0x5a, readBits, addr, 24, 8);
  }

  /** `flash_md5sum`: ROM 32 ASCII hex, stub 16 raw bytes (§2). */
  async flashMd5sum(addr: number, size: number): Promise<string> {
    const res = (await this.checkCommand("calculate md5sum", OP.SPI_FLASH_MD5, pack(addr, size, 0, 0), 0, this.isStub ? 16 : 32, timeoutPerMb(8, size))) as Uint8Array;
    if (!this.isStub) {
      const text = Buffer.from(res).toString("latin1");
      if (!/^[0-9a-f]{32}$/.test(text)) throw new FatalError(`ROM MD5 reply is not 32 lower-case hex characters: ${JSON.stringify(text)}`);
      return text;
    }
    return Buffer.from(res).toString("hex");
  }

  /** `flash_set_parameters` (§2.7). */
  async flashSetParameters(sizeBytes: number): Promise<void> {
    await this.checkCommand("set SPI params", OP.SPI_SET_PARAMS, pack(0, sizeBytes, 0x10000, 0x1000, 0x100, 0xffff));
  }

  /** The chip class (set by detection). */
  requireChip(): EsptoolChipClass {
    if (!this.chip) throw new Error("chip not detected yet");
    return this.chip;
  }
}
