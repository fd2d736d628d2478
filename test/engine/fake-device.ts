/**
 * Test double of the `Device` interface over a plain byte array with NOR flash semantics: erase sets
 * 0xFF, programming ANDs bits (so a write that skipped its erase shows up as wrong data), a write
 * erases the 4 KiB sectors it covers first, as the flasher stub does. It records every erase, every
 * programmed byte and every digest asked, and can inject faults. Not the simulator: no protocol.
 */
import { createHash } from "node:crypto";
import { inflateSync } from "node:zlib";
import { WriteInterruptedError } from "../../src/errors.js";
import type { ChipDescription, Device, WriteOptions, WriteStats } from "../../src/protocol/device.js";

const SECTOR = 0x1000;
/** Block size of a stub write (PROTOCOL.md §5.2): where `shouldStop` is checked. */
const BLOCK = 0x4000;

/** Faults the double can inject. */
export interface FakeFaults {
  /** Flip bits of the byte at this flash address whenever it is programmed (a weak cell); `times` limits it. */
  badCell?: { addr: number; times: number };
  /** Answer digests of ranges containing this address with a wrong MD5, `times` times. */
  lyingMd5?: { addr: number; times: number };
}

/** The fake chip. */
export class FakeDevice implements Device {
  readonly flash: Uint8Array;
  chip: ChipDescription;
  /** Start addresses of every 4 KiB sector erased, in order (duplicates kept). */
  readonly erasedSectors: number[] = [];
  /** Flash bytes programmed. */
  bytesProgrammed = 0;
  /** Payload bytes received for writes (compressed size when compressed). */
  bytesReceived = 0;
  /** Digest ranges asked, in order. */
  readonly md5Asked: { addr: number; sizeBytes: number }[] = [];
  /** Calls, in order, for protocol-level assertions. */
  readonly calls: string[] = [];
  blocksWritten = 0;
  /** Called after each written block (tests abort their AbortController from here). */
  onBlock: (() => void) | undefined;
  faults: FakeFaults;

  constructor(flash: Uint8Array, options: { chip?: Partial<ChipDescription>; faults?: FakeFaults } = {}) {
    this.flash = flash;
    this.faults = options.faults ?? {};
    this.chip = {
      chip: "esp32",
      description: "ESP32-D0WD-V3 (revision v3.0) [test double]",
      revisionFull: 300,
      features: [],
      crystalMhz: 40,
      mac: "24:0a:c4:00:00:01",
      flashId: 0x1640ef,
      flashSizeBytes: flash.length,
      stub: true,
      ...options.chip,
    };
  }

  /** Erased sector addresses as a sorted set. */
  erasedSet(): number[] {
    return [...new Set(this.erasedSectors)].sort((a, b) => a - b);
  }

  private digest(addr: number, sizeBytes: number): Uint8Array {
    this.md5Asked.push({ addr, sizeBytes });
    const out = new Uint8Array(createHash("md5").update(this.flash.subarray(addr, addr + sizeBytes)).digest());
    const lie = this.faults.lyingMd5;
    if (lie !== undefined && lie.times > 0 && lie.addr >= addr && lie.addr < addr + sizeBytes) {
      lie.times--;
      out[0] = (out[0] as number) ^ 0xff;
    }
    return out;
  }

  async md5(addr: number, sizeBytes: number): Promise<Uint8Array> {
    this.calls.push(`md5 ${addr}+${sizeBytes}`);
    return this.digest(addr, sizeBytes);
  }

  async md5Many(ranges: readonly { addr: number; sizeBytes: number }[]): Promise<Uint8Array[]> {
    this.calls.push(`md5Many ${ranges.length}`);
    return ranges.map((r) => this.digest(r.addr, r.sizeBytes));
  }

  private eraseSector(addr: number): void {
    this.flash.fill(0xff, addr, addr + SECTOR);
    this.erasedSectors.push(addr);
  }

  async write(addr: number, data: Uint8Array, options: WriteOptions = {}): Promise<WriteStats> {
    this.calls.push(`write ${addr}+${data.length}${options.compressed ? " compressed" : ""}`);
    if (addr % SECTOR !== 0) throw new Error(`unaligned write at ${addr}`);
    if (addr + data.length > this.flash.length) throw new Error(`write past the end at ${addr}`);
    if (options.compressed !== undefined) {
      // The compressed payload must be exactly the bytes to write: a wrong stream is an engine bug.
      const inflated = inflateSync(options.compressed);
      if (Buffer.compare(inflated, Buffer.from(data.buffer, data.byteOffset, data.length)) !== 0) throw new Error("compressed payload differs from data");
      if (options.compressed.length >= data.length) throw new Error("compressed payload not smaller: should have been sent raw");
    }
    const payload = options.compressed?.length ?? data.length;
    let written = 0;
    for (let off = 0; off < data.length; off += BLOCK) {
      if (options.shouldStop?.()) throw new WriteInterruptedError(`write at ${addr} stopped`, written);
      const chunk = data.subarray(off, off + BLOCK);
      for (let s = addr + off; s < addr + off + chunk.length; s += SECTOR) this.eraseSector(s - (s % SECTOR));
      for (let i = 0; i < chunk.length; i++) {
        const at = addr + off + i;
        let v = chunk[i] as number;
        const bad = this.faults.badCell;
        if (bad !== undefined && bad.times > 0 && bad.addr === at) {
          bad.times--;
          v ^= 0x01;
        }
        this.flash[at] = (this.flash[at] as number) & v;
      }
      this.bytesProgrammed += chunk.length;
      this.bytesReceived += Math.round((payload * chunk.length) / data.length);
      written += chunk.length;
      this.blocksWritten++;
      options.onProgress?.(written, data.length);
      this.onBlock?.();
    }
    return { writtenBytes: data.length, sentBytes: payload, compressed: options.compressed !== undefined };
  }

  async eraseRegion(addr: number, sizeBytes: number): Promise<void> {
    this.calls.push(`eraseRegion ${addr}+${sizeBytes}`);
    if (addr % SECTOR !== 0 || sizeBytes % SECTOR !== 0) throw new Error(`unaligned erase ${addr}+${sizeBytes}`);
    for (let s = addr; s < addr + sizeBytes; s += SECTOR) this.eraseSector(s);
  }

  async eraseAll(): Promise<void> {
    this.calls.push("eraseAll");
    for (let s = 0; s < this.flash.length; s += SECTOR) this.eraseSector(s);
  }

  async read(addr: number, sizeBytes: number): Promise<Uint8Array> {
    this.calls.push(`read ${addr}+${sizeBytes}`);
    return this.flash.slice(addr, addr + sizeBytes);
  }

  async finish(): Promise<void> {
    this.calls.push("finish");
  }

  async close(): Promise<void> {
    this.calls.push("close");
  }
}
