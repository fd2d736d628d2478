/**
 * On the ESP32 the flasher stub sets the UART to the rate in the ROM's UartDevice record, which the
 * ROM's CHANGE_BAUDRATE leaves at 115200 (seen on the real ROM and stub under QEMU). A host that
 * switches the ROM to 921600 and uploads the stub loses it unless it rewrote the record first.
 */
import { describe, expect, it } from "vitest";
import { createVirtualChip } from "../../../adapters/sim/index.js";
import { collect, roundTrip, u32, xorChecksum } from "./helpers.js";

const SYNC_DATA = [0x07, 0x07, 0x12, 0x20, ...new Array(32).fill(0x55)];
const UART_RECORD = 0x3ffe019c;

async function romAt921600ThenStub(rewriteRecord: boolean) {
  const c = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000 });
  const out = collect(c);
  c.setBaudRate(115200);
  await roundTrip(c, out, 0x08, SYNC_DATA);
  await roundTrip(c, out, 0x0f, [...u32(921600), ...u32(0)]);
  c.setBaudRate(921600); // the host follows
  if (rewriteRecord) await roundTrip(c, out, 0x09, [...u32(UART_RECORD), ...u32(921600), ...u32(0xffffffff), ...u32(0)]);
  const code = Uint8Array.from([1, 2, 3, 4]);
  await roundTrip(c, out, 0x05, [...u32(4), ...u32(1), ...u32(0x1800), ...u32(0x400a8000)]);
  await roundTrip(c, out, 0x07, [...u32(4), ...u32(0), ...u32(0), ...u32(0), ...code], xorChecksum(code));
  const frames = await roundTrip(c, out, 0x06, [...u32(0), ...u32(0x400a8000)]);
  return { c, frames };
}

describe("ESP32 stub start-up rate", () => {
  it("falls back to the ROM's recorded 115200 after a ROM switch: its OHAI is garbage at 921600", async () => {
    const { c, frames } = await romAt921600ThenStub(false);
    expect(c.mode).toBe("stub");
    expect(c.stats.uartBaud).toBe(115200);
    expect(frames.some((f) => Buffer.from(f).toString() === "OHAI")).toBe(false);
  });

  it("keeps 921600 when the host rewrote the record first", async () => {
    const { c, frames } = await romAt921600ThenStub(true);
    expect(c.stats.uartBaud).toBe(921600);
    expect(frames.some((f) => Buffer.from(f).toString() === "OHAI")).toBe(true);
  });
});
