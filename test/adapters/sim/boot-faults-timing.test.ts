/** Reset/boot model, fault injection, virtual timing, sim: URLs. */
import { describe, expect, it } from "vitest";
import { createVirtualChip, openSimPort, parseSimUrl } from "../../../adapters/sim/index.js";
import { isErrorCode } from "../../../src/errors.js";
import { installApp, collect, frame, hex, request, roundTrip, tick, u32, xorChecksum } from "./helpers.js";

const SYNC_DATA = [0x07, 0x07, 0x12, 0x20, ...new Array(32).fill(0x55)];

describe("reset and boot", () => {
  it("classic DTR/RTS sequence → ROM banner ending in 'waiting for download', download mode", async () => {
    const c = createVirtualChip({ chip: "esp32c3", flashSizeBytes: 0x400000, boot: "app" });
    const out = collect(c);
    c.setLines({ dtr: false, rts: true }); // EN low
    c.setLines({ dtr: true, rts: false }); // EN released with IO0 low
    expect(c.mode).toBe("rom");
    c.setLines({ dtr: false, rts: false });
    await tick();
    expect(Buffer.from(out.bytes()).toString("latin1")).toBe(
      "ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\nrst:0x1 (POWERON),boot:0x4 (DOWNLOAD(USB/UART0/1))\r\nwaiting for download\r\n",
    );
  });
  it("esptool.py-style sequential lines (through DTR=RTS=1) still sample IO0 low", async () => {
    const c = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000, boot: "app" });
    c.setLines({ dtr: false, rts: true });
    c.setLines({ dtr: true, rts: true }); // EN rises here...
    c.setLines({ dtr: true, rts: false }); // ...IO0 drops within the settle window
    expect(c.mode).toBe("rom");
  });
  it("plain reset boots the app and prints project name and version from esp_app_desc_t", async () => {
    const c = createVirtualChip({ chip: "esp32c3", flashSizeBytes: 0x400000, appOutput: ["Guru Meditation Error: Core  0 panic'ed (LoadProhibited)"] });
    installApp(c, "hello_world", "v1.0");
    const out = collect(c);
    c.setLines({ dtr: false, rts: true });
    c.setLines({ dtr: false, rts: false });
    expect(c.mode).toBe("app");
    await tick();
    const text = Buffer.from(out.bytes()).toString("latin1");
    expect(text).toContain("boot:0xc (SPI_FAST_FLASH_BOOT)\r\n");
    expect(text).toContain("I (312) app_init: Project name:     hello_world\r\n");
    expect(text).toContain("I (313) app_init: App version:      v1.0\r\n");
    expect(text).toContain("Guru Meditation Error");
    out.clear();
    c.receive(frame(request(0x08, SYNC_DATA))); // the app ignores input
    await tick();
    expect(out.bytes().length).toBe(0);
  });
  it("erased flash: C3 says invalid header, ESP32 says flash read err", async () => {
    for (const [chip, line] of [["esp32c3", "invalid header: 0xffffffff\r\n"], ["esp32", "flash read err, 1000\r\n"]] as const) {
      const c = createVirtualChip({ chip, flashSizeBytes: 0x400000 });
      const out = collect(c);
      c.setLines({ dtr: false, rts: true });
      c.setLines({ dtr: false, rts: false });
      expect(c.mode).toBe("app");
      await tick();
      expect(Buffer.from(out.bytes()).toString("latin1").endsWith(line)).toBe(true);
    }
  });
  it("USB-Serial/JTAG model: the USB reset sequence enters download mode", () => {
    const c = createVirtualChip({ chip: "esp32s3", flashSizeBytes: 0x400000, boot: "app", portKind: "usb-jtag" });
    for (const [dtr, rts] of [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]) c.setLines({ dtr: !!dtr, rts: !!rts });
    expect(c.mode).toBe("rom");
  });
});

describe("faults", () => {
  const chip = (faults: Parameters<typeof createVirtualChip>[0]["faults"]) => {
    const c = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000, faults });
    return { c, out: collect(c) };
  };
  it("drops the nth response to an opcode", async () => {
    const { c, out } = chip([{ kind: "drop-response", op: 0x0a, nth: 2 }]);
    expect((await roundTrip(c, out, 0x0a, u32(0))).length).toBe(1);
    expect((await roundTrip(c, out, 0x0a, u32(0))).length).toBe(0);
    expect((await roundTrip(c, out, 0x0a, u32(0))).length).toBe(1);
  });
  it("corrupts a response byte and a request byte", async () => {
    const { c, out } = chip([{ kind: "corrupt-response", op: 0x0a, nth: 1, byteIndex: 4 }, { kind: "corrupt-request", op: 0x0a, nth: 2, byteIndex: 8 }]);
    expect(hex((await roundTrip(c, out, 0x0a, u32(0x40001000)))[0]!)).toBe("010a04007c1df00000000000");
    expect(hex((await roundTrip(c, out, 0x0a, u32(0x40001000)))[0]!)).toBe("010a04000000000000000000"); // read 0x400010ff → 0
  });
  it("returns an injected error status, goes silent, disconnects", async () => {
    const { c, out } = chip([{ kind: "error-status", op: 0x0a, nth: 1, status: 0x09 }, { kind: "silence", afterFrames: 3 }]);
    expect(hex((await roundTrip(c, out, 0x0a, u32(0)))[0]!)).toBe("010a04000000000001090000");
    expect((await roundTrip(c, out, 0x0a, u32(0))).length).toBe(1);
    expect((await roundTrip(c, out, 0x0a, u32(0))).length).toBe(1);
    expect((await roundTrip(c, out, 0x0a, u32(0))).length).toBe(0);
    const port = openSimPort({ chip: "esp32", flashSizeBytes: 0x400000, faults: [{ kind: "disconnect", op: 0x08, nth: 1 }] });
    let closedWith: Error | undefined;
    port.onClose((e) => (closedWith = e));
    await port.open(115200);
    await port.write(frame(request(0x08, SYNC_DATA)));
    expect(isErrorCode(closedWith, "PORT_CLOSED")).toBe(true);
    await expect(port.write(Uint8Array.of(0))).rejects.toThrow(/closed/);
  });
  it("power loss in the middle of a FLASH_DATA leaves a partly programmed sector and boots the app", async () => {
    const { c, out } = chip([{ kind: "power-loss", nth: 1 }]);
    await roundTrip(c, out, 0x02, [...u32(0x400), ...u32(1), ...u32(0x400), ...u32(0x10000)]);
    const block = new Uint8Array(0x400).fill(0x00);
    await roundTrip(c, out, 0x03, [...u32(0x400), ...u32(0), ...u32(0), ...u32(0), ...block], xorChecksum(block));
    expect(c.mode).toBe("app");
    expect(c.flash.bytes[0x10000]).toBe(0x00);
    expect(c.flash.bytes[0x10000 + 0x200]).toBe(0xff);
    expect(c.flash.counters.bytesProgrammed).toBe(0x200);
  });
});

describe("virtual timing", () => {
  it("SYNC at 115200 over usb-uart: up 46 bytes + 1 ms, down 8×14 bytes + 1 ms", async () => {
    const c = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000, timing: "usb-uart" });
    const out = collect(c);
    await roundTrip(c, out, 0x08, SYNC_DATA);
    expect(c.virtualTimeS).toBeCloseTo((46 * 10) / 115200 + 0.001 + (8 * 14 * 10) / 115200 + 0.001, 12);
  });
  it("ROM FLASH_BEGIN erase of 2 sectors adds 2 × 45 ms; reset clears the clock", async () => {
    const c = createVirtualChip({ chip: "esp32c3", flashSizeBytes: 0x400000, timing: "usb-uart" });
    const out = collect(c);
    await roundTrip(c, out, 0x02, [...u32(0x2000), ...u32(2), ...u32(0x400), ...u32(0), ...u32(0)]);
    expect(c.virtualTimeS).toBeCloseTo((30 * 10) / 115200 + 0.001 + 0.09 + (14 * 10) / 115200 + 0.001, 12);
    c.resetVirtualTime();
    expect(c.virtualTimeS).toBe(0);
  });
  it("a host at the wrong baud rate sees garbage", async () => {
    const c = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000 });
    const out = collect(c);
    c.setBaudRate(921600);
    expect((await roundTrip(c, out, 0x08, SYNC_DATA)).length).toBe(0);
    c.setBaudRate(115200);
    expect((await roundTrip(c, out, 0x08, SYNC_DATA)).length).toBe(8);
  });
});

describe("sim: URLs", () => {
  it("parses every option", () => {
    expect(parseSimUrl("sim:esp32?flash=8MB&mac=24:0a:c4:00:00:01&seed=7&boot=app&timing=usb-uart&file=x.bin")).toEqual({
      chip: "esp32", flashSizeBytes: 0x800000, mac: "24:0a:c4:00:00:01", seed: 7, boot: "app", timing: "usb-uart", flashFile: "x.bin",
    });
    expect(parseSimUrl("sim:esp32c3")).toEqual({ chip: "esp32c3", flashSizeBytes: 0x400000 });
  });
  it("rejects unknown chips and flash sizes with the valid values in the hint", () => {
    try {
      parseSimUrl("sim:esp99");
      expect.unreachable();
    } catch (e) {
      expect(isErrorCode(e, "CHIP_UNKNOWN")).toBe(true);
      expect((e as { hint: string }).hint).toContain("esp32c3");
    }
    try {
      parseSimUrl("sim:esp32?flash=3MB");
      expect.unreachable();
    } catch (e) {
      expect(isErrorCode(e, "USAGE")).toBe(true);
      expect((e as { hint: string }).hint).toContain("16MB");
    }
  });
});
