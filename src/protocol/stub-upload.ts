/**
 * Uploading the flasher stub (PROTOCOL.md §2.5) through esptool-js's `runStub`, at whatever rate
 * the ROM runs. On the ESP32 the ROM's UART record is rewritten first when that rate is not the
 * ROM's own, so the stub keeps it (rom-uart.ts). A lost or garbled reply leaves the ROM mid-load:
 * the chip is reset into the ROM again (`restart`) and the upload runs once more.
 */
import { getStubJsonByChipName, type ESPLoader } from "esptool-js";
import type { CommandLink } from "./command-link.js";
import type { ChipName } from "./device.js";
import { OP } from "./opcodes.js";
import { translateError } from "./protocol-errors.js";
import { withRegisterCache } from "./register-cache.js";
import { ESP32_ROM_UART_RECORD } from "./rom-uart.js";
import type { Timeouts } from "./timeouts.js";
import { u32le } from "./words.js";

/** What an upload needs from the session. */
export interface StubUploadContext {
  readonly loader: ESPLoader;
  readonly link: CommandLink;
  readonly chip: ChipName;
  readonly romBaudRate: number;
  readonly timeouts: Timeouts;
  readonly log: (line: string) => void;
  /** eFuse words read while connecting; the upload reads some again (the revision) and gets them from here. */
  readonly registers: ReadonlyMap<number, number>;
  /** Resets the chip into the ROM loader at the ROM rate; undefined when it cannot (no_reset_no_sync). */
  readonly restart: (() => Promise<void>) | undefined;
}

async function upload(ctx: StubUploadContext): Promise<void> {
  const { link, loader } = ctx;
  const state = link.state;
  if (ctx.chip === "esp32" && state.baudRate !== ctx.romBaudRate) {
    await link.command(OP.WRITE_REG, u32le(ESP32_ROM_UART_RECORD, state.baudRate, 0xffffffff, 0), {
      what: "WRITE_REG of the ROM's UART record",
      timeoutMs: ctx.timeouts.defaultMs,
    });
  }
  ctx.log("Uploading stub...");
  await withRegisterCache(loader, ctx.registers, () => loader.runStub());
  state.stub = loader.IS_STUB;
  ctx.log(state.stub ? "Stub running." : `No flasher stub for ${loader.chip.CHIP_NAME}; talking to the ROM.`);
}

/** Uploads the stub; see the module comment. Throws the second failure (or the first, without `restart`). */
export async function uploadStub(ctx: StubUploadContext): Promise<void> {
  try {
    await upload(ctx);
  } catch (err) {
    const failure = translateError(err, ctx.link.context("uploading the flasher stub"));
    if (failure.code === "PORT_CLOSED" || ctx.restart === undefined) throw failure;
    ctx.log(`Stub upload failed (${failure.message}); resetting the chip and uploading it once more.`);
    await ctx.restart();
    await upload(ctx);
  }
}

/**
 * Bytes an upload of the chip's flasher stub sends (text and data), for the planner's estimate; the
 * revision is not read (only the P4 has per-revision stubs, of about the same size).
 */
export async function stubUploadBytes(loader: ESPLoader): Promise<number | undefined> {
  const stub = await getStubJsonByChipName(loader.chip.CHIP_NAME);
  return stub === undefined ? undefined : stub.decodedText.length + stub.decodedData.length;
}
