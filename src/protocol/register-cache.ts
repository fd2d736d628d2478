/**
 * Fewer round trips while describing the chip. esptool-js's chip classes read their eFuse words one
 * READ_REG at a time, several of them more than once (the ESP32's package word five times). The
 * ROM reads pipelined requests from its UART FIFO (`pipeline.ts`), so the words each class is known
 * to read are fetched at once first and then answered from memory; any other address still goes to
 * the chip. eFuse words and the boot-time UART divider do not change while the description is read.
 */
import type { ESPLoader } from "esptool-js";
import { hex32 } from "../errors.js";
import type { CommandLink } from "./command-link.js";
import type { ChipName } from "./device.js";
import { OP } from "./opcodes.js";
import { exchangeAll } from "./pipeline.js";
import { u32le } from "./words.js";

/**
 * Registers esptool-js 0.7.0's chip classes read to describe each chip (revision, package, features,
 * crystal, MAC), recorded from its requests; plus the ESP32 ROM's clock calibration (rom-uart.ts)
 * the ESP32-C2's revision word (revision.ts) and the C5's assumed crystal (rom-uart.ts). Every
 * chip espsync supports is listed.
 */
export const DESCRIPTION_REGISTERS: Readonly<Record<ChipName, readonly number[]>> = {
  esp32: [0x3ff5a00c, 0x3ff5a014, 0x3ff6607c, 0x3ff5a010, 0x3ff5a018, 0x3ff40014, 0x3ff5a004, 0x3ff5a008, 0x3ff5f06c],
  esp32s2: [0x3f41a050, 0x3f41a054, 0x3f41a06c, 0x3f41a044, 0x3f41a048],
  esp32s3: [0x60007050, 0x60007058, 0x6000706c, 0x60007054, 0x60007044, 0x60007048],
  esp32c3: [0x60008850, 0x60008858, 0x60008854, 0x60008844, 0x60008848],
  esp32c6: [0x600b0858, 0x600b0850, 0x600b0844, 0x600b0848],
  esp32h2: [0x600b0850, 0x600b0854, 0x600b0844, 0x600b0848],
  esp32c2: [0x60008844, 0x60000014, 0x60008840],
  esp32c5: [0x600b484c, 0x60000014, 0x600b4844, 0x600b4848, 0x60096110],
  esp32p4: [0x5012d04c, 0x5012d044, 0x5012d048],
  esp32c61: [0x600b484c, 0x600b4844, 0x600b4848],
};

/** Reads `addrs` with pipelined READ_REGs; returns address → value. */
export async function readRegisters(link: CommandLink, loader: ESPLoader, addrs: readonly number[], timeoutMs: number): Promise<Map<number, number>> {
  const replies = await exchangeAll(
    link,
    loader,
    addrs.map((a) => ({ op: OP.READ_REG, data: u32le(a), what: `READ_REG ${hex32(a)}`, timeoutMs })),
  );
  return new Map(addrs.map((a, i) => [a, (replies[i]?.value ?? 0) >>> 0]));
}

/**
 * Runs `work` with `loader.readReg` answering the addresses in `cache` from it; restores the
 * loader's own method afterwards.
 */
export async function withRegisterCache<T>(loader: ESPLoader, cache: ReadonlyMap<number, number>, work: () => Promise<T>): Promise<T> {
  const own = loader.readReg.bind(loader);
  loader.readReg = (addr: number, timeout?: number) => {
    const hit = cache.get(addr >>> 0);
    return hit === undefined ? own(addr, timeout) : Promise.resolve(hit);
  };
  try {
    return await work();
  } finally {
    loader.readReg = own;
  }
}
