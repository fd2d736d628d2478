/**
 * The RTC watchdog reset esptool uses on ports without reset lines (its `rtc_wdt_reset`, target
 * files esp32s2/s3/c3/c6/h2.py): unlock the write protection with the key, set a timeout, enable the
 * watchdog with a reset stage, lock again. The simulated chip resets when the watchdog expires, and
 * boots from flash; esptool's own "disable the watchdog" sequence and writes while locked do not.
 */
import { describe, expect, it } from "vitest";
import { createVirtualChip } from "../../../adapters/sim/index.js";
import { installApp, collect, roundTrip, u32 } from "./helpers.js";

const WRITE_REG = 0x09;
const KEY = 0x50d83aa1;
/** esptool's value: enable | stage 0 = 5 (reset) | flash boot mode off | reset length. */
const ARM = ((1 << 31) | (5 << 28) | (1 << 8) | 2) >>> 0;

/** Per chip, from esptool's target files: WDTCONFIG0, WDTCONFIG1, WDTWPROTECT. */
const REGS = {
  esp32s2: [0x3f408094, 0x3f408098, 0x3f4080ac],
  esp32s3: [0x60008098, 0x6000809c, 0x600080b0],
  esp32c3: [0x60008090, 0x60008094, 0x600080a8],
  esp32c6: [0x600b1c00, 0x600b1c04, 0x600b1c18],
  esp32h2: [0x600b1c00, 0x600b1c04, 0x600b1c1c],
} as const;

const writeReg = (addr: number, value: number): number[] => [...u32(addr), ...u32(value), ...u32(0xffffffff), ...u32(0)];
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function chipInDownloadMode(chip: keyof typeof REGS) {
  // On its USB-Serial/JTAG port where the chip has one (the S2 has none: a UART).
  const c = createVirtualChip({ chip, flashSizeBytes: 0x400000, portKind: chip === "esp32s2" ? "uart" : "usb-jtag" });
  installApp(c, "hello_world", "v1.0");
  return c;
}

describe("RTC watchdog reset", () => {
  it.each(Object.keys(REGS) as (keyof typeof REGS)[])("%s: esptool's arming sequence resets the chip into its app after the WRITE_REGs are answered", async (chip) => {
    const [config0, config1, wprotect] = REGS[chip];
    const c = chipInDownloadMode(chip);
    const out = collect(c);
    expect(c.mode).toBe("rom");
    const resets = c.stats.resets;
    // esptool's sequence, with 20000 slow-clock cycles (~150 ms) instead of its 2000 (~15 ms), so that
    // a loaded test host answering the last write late cannot race the reset.
    for (const [addr, value] of [[wprotect, KEY], [config1, 20000], [config0, ARM], [wprotect, 0]] as const) {
      const replies = await roundTrip(c, out, WRITE_REG, writeReg(addr, value));
      expect(replies).toHaveLength(1); // every write answered; the reset comes after
    }
    expect(c.mode).toBe("rom");
    out.clear();
    await wait(600); // 20000 cycles of the ~136 kHz slow clock: about 150 ms
    expect(c.stats.resets).toBe(resets + 1);
    expect(c.mode).toBe("app");
    const text = Buffer.from(out.bytes()).toString("latin1");
    expect(text).toContain("rst:0x10 (RTCWDT_RTC_RST)");
    expect(text).toContain("I (312) app_init: Project name:     hello_world");
  });

  it("esptool's disable sequence (key, CONFIG0 = 0, lock) and an enable written while locked do nothing", async () => {
    const [config0, , wprotect] = REGS.esp32s3;
    const c = chipInDownloadMode("esp32s3");
    const out = collect(c);
    const resets = c.stats.resets;
    for (const [addr, value] of [[wprotect, KEY], [config0, 0], [wprotect, 0], [config0, ARM]] as const) await roundTrip(c, out, WRITE_REG, writeReg(addr, value));
    await wait(60);
    expect(c.stats.resets).toBe(resets);
    expect(c.mode).toBe("rom");
  });
});
