/**
 * Switching both sides to the transfer baud rate (PROTOCOL.md §2.7, §3.1 step 8), with a fallback:
 * if the chip does not confirm CHANGE_BAUDRATE, or does not answer at the new rate, the session
 * continues at the ROM rate — re-syncing (and re-uploading the stub) when the chip is lost.
 *
 * On a port without a rate of its own (raw TCP, §12) only the chip is switched: the far end decides
 * how fast bytes move and must follow the chip, as QEMU's emulated UART does. When nothing answers
 * at the new rate there, the far end did not follow, and only a reset brings the chip back.
 */
import type { ESPLoader } from "esptool-js";
import { EspsyncError } from "../errors.js";
import type { Port } from "../transport/port.js";
import type { CommandLink } from "./command-link.js";
import type { ChipName } from "./device.js";
import { OP } from "./opcodes.js";
import { crystalScaledRomRate, ESP32_ROM_CLOCK_REGS, ESP32C5_PCR_SYSCLK_CONF_REG, esp32RomBaudRequest, UART_CLKDIV_REG } from "./rom-uart.js";
import type { Timeouts } from "./timeouts.js";
import { u32le } from "./words.js";

/** The register read used as a responsiveness probe (chip magic, §3.3). */
const PROBE_REG = 0x40001000;
/** The chip switches after replying; give it time before talking at the new rate (§2.7). */
const SETTLE_MS = 50;

/** What the baud change needs from the connect flow. */
export interface BaudChangeContext {
  readonly loader: ESPLoader;
  readonly link: CommandLink;
  readonly timeouts: Timeouts;
  readonly romBaudRate: number;
  readonly chip: ChipName;
  readonly log: (line: string) => void;
  /** The port: whether it sets its own rate (`capabilities.setBaudRate`) decides who follows the chip. */
  readonly port: Port;
  /** Re-establishes the session at the ROM rate (reset, sync, stub) when the chip was lost. */
  readonly reconnect: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function responsive(ctx: BaudChangeContext): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await ctx.loader.transport.drainInput(20, 100);
      await ctx.loader.readReg(PROBE_REG, ctx.timeouts.baudProbeMs);
      return true;
    } catch {
      ctx.loader.transport.flushInput();
    }
  }
  return false;
}

/**
 * What to ask the loader for: the ESP32 ROM needs its crystal-estimate correction, the ESP32-C2
 * and C5 ROMs a correction for the crystal they assume (rom-uart.ts). The stub needs none.
 */
async function requestedRate(ctx: BaudChangeContext, baudRate: number): Promise<number> {
  if (ctx.link.state.stub) return baudRate;
  const read = (addr: number) => ctx.loader.readReg(addr);
  switch (ctx.chip) {
    case "esp32":
      return esp32RomBaudRequest(baudRate, await read(ESP32_ROM_CLOCK_REGS.rtcCaliCfg1), await read(ESP32_ROM_CLOCK_REGS.efuseWord4));
    case "esp32c2":
      return crystalScaledRomRate("esp32c2", baudRate, ctx.romBaudRate, await read(UART_CLKDIV_REG));
    case "esp32c5":
      return crystalScaledRomRate("esp32c5", baudRate, ctx.romBaudRate, await read(UART_CLKDIV_REG), await read(ESP32C5_PCR_SYSCLK_CONF_REG));
    default:
      return baudRate;
  }
}

/** Switches to `baudRate`; returns the rate the session ends up using. */
export async function changeBaudRate(ctx: BaudChangeContext, baudRate: number): Promise<number> {
  const { link, loader } = ctx;
  const state = link.state;
  ctx.log(`Changing baud rate to ${baudRate}...`);
  let failure: unknown;
  try {
    // The stub's second word is the current rate; the ROM's is 0 (§2.7).
    await link.command(OP.CHANGE_BAUDRATE, u32le(await requestedRate(ctx, baudRate), state.stub ? state.baudRate : 0), {
      what: `CHANGE_BAUDRATE to ${baudRate}`,
      timeoutMs: ctx.timeouts.defaultMs,
    });
    await sleep(SETTLE_MS);
    if (ctx.port.capabilities.setBaudRate) await loader.transport.changeBaudrate(baudRate);
    if (await responsive(ctx)) {
      state.baudRate = baudRate;
      ctx.log(`Changed baud rate to ${baudRate}.`);
      return baudRate;
    }
    failure = new Error(`no answer at ${baudRate} baud`);
  } catch (err) {
    failure = err;
  }
  ctx.log(`Could not switch to ${baudRate} baud (${reason(failure)}); continuing at ${ctx.romBaudRate} baud.`);
  try {
    if (loader.transport.baudrate !== ctx.romBaudRate) await loader.transport.changeBaudrate(ctx.romBaudRate);
    state.baudRate = ctx.romBaudRate;
    if (await responsive(ctx)) return ctx.romBaudRate;
  } catch {
    // fall through to a full reconnect
  }
  ctx.log(`The chip stopped answering; reconnecting at ${ctx.romBaudRate} baud.`);
  try {
    await ctx.reconnect();
  } catch (err) {
    if (ctx.port.capabilities.setBaudRate) throw err;
    throw new EspsyncError("SYNC_FAILED", `the chip switched to ${baudRate} baud, but nothing answers at that rate through ${ctx.port.info.path}`, {
      hint: "The far end of this link does not follow the chip's baud rate (e.g. a raw TCP-to-serial bridge): reset the board and run again without --baud, which stays at 115200.",
      cause: err,
    });
  }
  state.baudRate = ctx.romBaudRate;
  return ctx.romBaudRate;
}
