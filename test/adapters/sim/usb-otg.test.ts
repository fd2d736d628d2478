/**
 * The simulated port kinds (`usb=otg`, `usb=1`, UART) and the ROM's USB-OTG download port: its USB
 * identity, the UARTDEV_BUF_NO record, the boot pin latched at the last system reset, the
 * FORCE_DOWNLOAD_BOOT flag, the core reset that DTR/RTS trigger over USB-OTG, the RTC watchdog's
 * system reset, and the 0x800-byte data blocks of the ROM and the stub over USB-OTG. Addresses and
 * values are esptool's (targets/esp32s2.py, esp32s3.py; UARTDEV_BUF_NO as esptool v5.2 has it).
 */
import { describe, expect, it } from "vitest";
import { createVirtualChip, openSimPort, parseSimUrl, simOptions, type VirtualChip } from "../../../adapters/sim/index.js";
import { collect, installApp, roundTrip, tick, u32, xorChecksum } from "./helpers.js";

const OP = { MEM_BEGIN: 0x05, MEM_END: 0x06, MEM_DATA: 0x07, WRITE_REG: 0x09, READ_REG: 0x0a, FLASH_BEGIN: 0x02, FLASH_DATA: 0x03 } as const;
const S3 = { bufNo: 0x3fcef14c, strap: 0x60004038, option1: 0x6000812c, wdt: [0x60008098, 0x6000809c, 0x600080b0] } as const;
const ARM = ((1 << 31) | (5 << 28) | (1 << 8) | 2) >>> 0;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readReg(chip: VirtualChip, out: ReturnType<typeof collect>, addr: number): Promise<number> {
  return roundTrip(chip, out, OP.READ_REG, u32(addr)).then((frames) => {
    const f = frames[0]!;
    return new DataView(f.buffer, f.byteOffset).getUint32(4, true);
  });
}

const writeReg = (addr: number, value: number, mask = 0xffffffff): number[] => [...u32(addr), ...u32(value), ...u32(mask), ...u32(0)];

/** A data request's payload: length, sequence, two zero words, then the block. */
function dataPayload(block: Uint8Array, seq = 0): number[] {
  return [...u32(block.length), ...u32(seq), ...u32(0), ...u32(0), ...block];
}

/** Status of a reply: ROM 4 bytes after the payload, stub 2. */
const status = (frame: Uint8Array): number[] => Array.from(frame.subarray(8, 10));

async function lines(chip: VirtualChip, steps: [boolean, boolean, number][]): Promise<void> {
  for (const [dtr, rts, ms] of steps) {
    chip.setLines({ dtr, rts });
    if (ms) await wait(ms);
  }
  const _settled = chip.mode; // observing the mode settles a pending strap sampling
  await tick();
}

function s3(settings: Record<string, string>): VirtualChip {
  const chip = createVirtualChip(simOptions("esp32s3", Object.entries({ flash: "4MB", seed: "2", ...settings }), "in a test"));
  installApp(chip, "otg-app", "1.0");
  return chip;
}

describe("simulated port kinds", () => {
  it("usb=otg is the ROM's USB-OTG port: 303A:<chip id>, UARTDEV_BUF_NO 3 on the S3 and 2 on the S2", async () => {
    const port = openSimPort("sim:esp32s3?usb=otg");
    expect(port.info).toMatchObject({ usbVendorId: 0x303a, usbProductId: 0x0009 });
    expect(openSimPort("sim:esp32s2?usb=otg").info).toMatchObject({ usbVendorId: 0x303a, usbProductId: 0x0002 });
    expect(openSimPort("sim:esp32s3?usb=1").info).toMatchObject({ usbVendorId: 0x303a, usbProductId: 0x1001 });
    expect(openSimPort("sim:esp32s3").info.usbVendorId).toBeUndefined();
    const ids: [string, number, number][] = [
      ["sim:esp32s3?usb=otg", 0x3fcef14c, 3],
      ["sim:esp32s3?usb=jtag", 0x3fcef14c, 4],
      ["sim:esp32s3", 0x3fcef14c, 0],
      ["sim:esp32s2?usb=otg", 0x3ffffd14, 2],
      ["sim:esp32c3?usb=1", 0x3fcdf07c, 3],
    ];
    for (const [url, addr, value] of ids) {
      const chip = createVirtualChip(parseSimUrl(url));
      expect(await readReg(chip, collect(chip), addr), url).toBe(value);
    }
  });

  it("refuses a port kind the chip lacks, naming the chips that have it; usb alone stays USB-Serial/JTAG", () => {
    expect(() => parseSimUrl("sim:esp32c3?usb=otg")).toThrow(expect.objectContaining({ code: "USAGE", message: expect.stringMatching(/ESP32-C3 has no USB-OTG port in sim:esp32c3\?usb=otg/) }));
    try {
      parseSimUrl("sim:esp32c3?usb=otg");
    } catch (e) {
      expect((e as { hint: string }).hint).toMatch(/USB-OTG port: esp32s2, esp32s3/);
      expect((e as { hint: string }).hint).not.toMatch(/esp32c3/);
    }
    expect(() => parseSimUrl("sim:esp32s2?usb=1")).toThrow(/ESP32-S2 has no USB-Serial\/JTAG port/);
    expect(() => parseSimUrl("sim:esp32?usb=maybe")).toThrow(expect.objectContaining({ code: "USAGE", message: expect.stringMatching(/invalid usb "maybe"/) }));
    expect(parseSimUrl("sim:esp32s3?usb").portKind).toBe("usb-jtag");
    expect(parseSimUrl("sim:esp32s3?usb=1").portKind).toBe("usb-jtag");
    expect(parseSimUrl("sim:esp32s3?usb=otg").portKind).toBe("usb-otg");
    expect(parseSimUrl("sim:esp32?usb=0").portKind).toBe("uart");
    expect(() => createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000, portKind: "usb-otg" })).toThrow(/no USB-OTG port/);
  });
});

describe("ESP32-S3 over USB-OTG: boot pin latch, forced download, core and system resets", () => {
  it("strapped into download mode: the strap register reads the pin low, an RTS pulse (core reset) keeps the download mode", async () => {
    const chip = s3({ usb: "otg", boot: "download" });
    const out = collect(chip);
    expect(await readReg(chip, out, S3.strap)).toBe(0x0); // SPI_BOOT bit (1 << 3) clear: pin low
    expect(await readReg(chip, out, S3.option1)).toBe(0);
    out.clear();
    await lines(chip, [[false, true, 20], [false, false, 0]]);
    const text = Buffer.from(out.bytes()).toString("latin1");
    expect(text).toMatch(/rst:0xc \(RTC_SW_CPU_RST\).*\r\nwaiting for download/);
    expect(chip.mode).toBe("rom");
    expect(chip.stats.resets).toBe(1);
    // The ROM's own port asked for download (classic reset): no flag needed, the latch keeps it there.
    await lines(chip, [[false, true, 20], [true, false, 20], [false, false, 0]]);
    expect(chip.mode).toBe("rom");
    expect(await readReg(chip, out, S3.option1)).toBe(0);
  });

  it("the RTC watchdog resets the whole system: the released pin is sampled again and the app runs", async () => {
    const chip = s3({ usb: "otg", boot: "download" });
    const out = collect(chip);
    for (const [addr, value] of [[S3.wdt[2], 0x50d83aa1], [S3.wdt[1], 2000], [S3.wdt[0], ARM], [S3.wdt[2], 0]] as const) await roundTrip(chip, out, OP.WRITE_REG, writeReg(addr, value));
    out.clear();
    await wait(60);
    expect(chip.mode).toBe("app");
    const text = Buffer.from(out.bytes()).toString("latin1");
    expect(text).toContain("rst:0x10 (RTCWDT_RTC_RST)");
    expect(text).toContain("Project name:     otg-app");
    expect(chip.regs.read(S3.strap)).toBe(0x8); // latched high now
  });

  it("a host's reset into download (classic DTR/RTS) sets FORCE_DOWNLOAD_BOOT; a core reset then stays in download until the flag is cleared", async () => {
    const chip = s3({ usb: "otg", boot: "app" });
    const out = collect(chip);
    expect(chip.regs.read(S3.strap)).toBe(0x8);
    await lines(chip, [[false, true, 20], [true, false, 20], [false, false, 0]]); // esptool's classic reset
    expect(chip.mode).toBe("rom");
    expect(await readReg(chip, out, S3.option1)).toBe(1);
    expect(await readReg(chip, out, S3.strap)).toBe(0x8); // a core reset latched nothing new

    await lines(chip, [[false, true, 20], [false, false, 0]]); // RTS pulse: the flag still forces download
    expect(chip.mode).toBe("rom");

    // esptool's S3 hard reset: clear the flag (mask 1), then the RTS pulse boots the app.
    const replies = await roundTrip(chip, out, OP.WRITE_REG, writeReg(S3.option1, 0, 0x1));
    expect(status(replies[0]!)).toEqual([0, 0]);
    out.clear();
    await lines(chip, [[false, true, 20], [false, false, 0]]);
    expect(chip.mode).toBe("app");
    expect(Buffer.from(out.bytes()).toString("latin1")).toContain("Project name:     otg-app");
  });

  it("over a UART the FORCE_DOWNLOAD_BOOT flag also wins over the pin at an EN reset, and a power cycle clears it", async () => {
    const chip = s3({ boot: "download" });
    chip.regs.set(S3.option1, 1);
    await lines(chip, [[false, true, 20], [false, false, 10]]);
    expect(chip.mode).toBe("rom");
    expect(chip.regs.read(S3.strap)).toBe(0x8); // the EN reset sampled the pin high
    chip.powerLoss();
    expect(chip.mode).toBe("app");
    expect(chip.regs.read(S3.option1)).toBe(0);
  });
});

describe("data blocks over USB-OTG", () => {
  const block = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);

  it.each([
    ["usb-otg", 0x1000, [1, 0x05]],
    ["usb-otg", 0x800, [0, 0]],
    ["uart", 0x1000, [0, 0]],
  ] as const)("ROM over %s: MEM_DATA of 0x%s bytes answers %j", async (kind, size, expected) => {
    const chip = createVirtualChip({ chip: "esp32s3", flashSizeBytes: 0x400000, portKind: kind });
    const out = collect(chip);
    await roundTrip(chip, out, OP.MEM_BEGIN, [...u32(size), ...u32(1), ...u32(0x1800), ...u32(0x40378000)]);
    const data = block(size);
    const reply = (await roundTrip(chip, out, OP.MEM_DATA, dataPayload(data), xorChecksum(data)))[0]!;
    expect(status(reply)).toEqual(expected);
  });

  it.each([
    ["usb-otg", 0x1000, [0xc0, 0]],
    ["usb-otg", 0x800, [0, 0]],
    ["uart", 0x1000, [0, 0]],
  ] as const)("stub over %s: FLASH_DATA of 0x%s bytes answers %j", async (kind, size, expected) => {
    const chip = createVirtualChip({ chip: "esp32s3", flashSizeBytes: 0x400000, portKind: kind });
    const out = collect(chip);
    // A tiny upload the ROM jumps into: from then on the chip answers as the stub.
    const text = block(16);
    await roundTrip(chip, out, OP.MEM_BEGIN, [...u32(16), ...u32(1), ...u32(0x800), ...u32(0x40378000)]);
    await roundTrip(chip, out, OP.MEM_DATA, dataPayload(text), xorChecksum(text));
    await roundTrip(chip, out, OP.MEM_END, [...u32(0), ...u32(0x40378000)]);
    expect(chip.mode).toBe("stub");
    await roundTrip(chip, out, OP.FLASH_BEGIN, [...u32(size), ...u32(1), ...u32(size), ...u32(0x10000), ...u32(0)]);
    const data = block(size);
    const reply = (await roundTrip(chip, out, OP.FLASH_DATA, dataPayload(data), xorChecksum(data)))[0]!;
    expect(status(reply)).toEqual(expected);
    expect(chip.flash.bytes[0x10001]).toBe(expected[0] === 0 ? 7 : 0xff);
  });
});
