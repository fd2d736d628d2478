/**
 * The way back to the ROM loader in the middle of a session (`loader-control.ts`), for the two
 * branches no other test reaches: a chip lost at a new rate while the stub runs comes back at the
 * ROM rate with the stub uploaded again; after a reset, recovery reattaches the flash in the ROM and
 * the stub that follows stays at the ROM rate. The virtual chip's counters say what it was sent.
 */
import { afterEach, expect, it } from "vitest";
import { openSimPort } from "../../adapters/sim/index.js";
import { isErrorCode } from "../../src/errors.js";
import { connect, type Device } from "../../src/protocol/index.js";

const open: Device[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});

const CHANGE_BAUDRATE = 0x0f;
const SPI_FLASH_MD5 = 0x13;

it("the stub lost at its new rate: back to the ROM at 115200 and the stub uploaded again, which then serves the read", async () => {
  // The ESP32-S2's stub falls back to the ROM's rate when it starts, so it switches rate only once it runs (rom-uart.ts).
  const port = openSimPort("sim:esp32s2?flash=4MB");
  const log: string[] = [];
  const device = await connect(port, { log: (l) => log.push(l), timeouts: { defaultMs: 500 } });
  open.push(device);
  expect(port.chip.stats.uartBaud).toBe(115200);
  // The stub switches to 921600 but its confirmation is lost: the host stays at 115200 and hears nothing.
  port.chip.faults.add({ kind: "drop-response", op: CHANGE_BAUDRATE, nth: 1 });
  port.chip.flash.bytes.set([5, 6, 7], 0x2000);
  const commands = port.chip.flash.counters.commands;
  const resets = port.chip.stats.resets;

  expect(Array.from(await device.read(0x2000, 3))).toEqual([5, 6, 7]);
  expect(log).toContain("The chip stopped answering; reconnecting at 115200 baud.");
  expect(port.chip.stats.resets).toBeGreaterThan(resets);
  expect(commands.MEM_END).toBe(2); // uploaded, lost, uploaded again
  expect(commands.CHANGE_BAUDRATE).toBe(1); // no second try at the rate that was lost
  expect(port.chip.mode).toBe("stub");
  expect(port.chip.stats.uartBaud).toBe(115200);
  expect(port.baudRate).toBe(115200);
});

it("recovery after a reset: the ROM at 115200 with the flash attached again; the stub that follows stays at 115200", async () => {
  const port = openSimPort("sim:esp32c3?flash=4MB");
  const device = await connect(port, { timeouts: { defaultMs: 500 } });
  open.push(device);
  await device.read(0, 16); // the stub runs, at 921600
  expect(port.chip.stats.uartBaud).toBe(921600);
  port.chip.faults.add({ kind: "power-loss", op: SPI_FLASH_MD5, nth: 1 });
  const lost = await device.md5(0, 0x1000).catch((e: unknown) => e);
  expect(isErrorCode(lost, "CHIP_RESET")).toBe(true);
  const commands = port.chip.flash.counters.commands;
  const [attaches, params, uploads, rateChanges] = [commands.SPI_ATTACH, commands.SPI_SET_PARAMS, commands.MEM_END, commands.CHANGE_BAUDRATE];

  await device.recover?.();
  expect(port.chip.mode).toBe("rom");
  expect(port.chip.stats.uartBaud).toBe(115200);
  // The ROM forgets the flash at a reset (PROTOCOL.md §2.7): both commands are sent again.
  expect(commands.SPI_ATTACH).toBe((attaches ?? 0) + 1);
  expect(commands.SPI_SET_PARAMS).toBe((params ?? 0) + 1);

  port.chip.flash.bytes.set([1, 2, 3], 0x3000);
  expect(Array.from(await device.read(0x3000, 3))).toEqual([1, 2, 3]);
  expect(port.chip.mode).toBe("stub");
  expect(commands.MEM_END).toBe((uploads ?? 0) + 1);
  expect(commands.CHANGE_BAUDRATE).toBe(rateChanges); // a rate problem may be why the chip was lost
  expect(port.chip.stats.uartBaud).toBe(115200);
});
