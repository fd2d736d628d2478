import { afterEach, describe, expect, it } from "vitest";
import { openSimPort, type SimPort } from "../../adapters/sim/index.js";
import { isErrorCode } from "../../src/errors.js";
import { connect, type Device } from "../../src/protocol/index.js";
import { recordWire } from "./wire-recorder.js";

const open: Device[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});

async function connectSim(url: string, options: Parameters<typeof connect>[1] = {}): Promise<{ device: Device; port: SimPort; log: string[] }> {
  const port = openSimPort(url);
  const log: string[] = [];
  const device = await connect(port, { log: (l) => log.push(l), ...options });
  open.push(device);
  return { device, port, log };
}

describe("connect against the simulator (default_reset, stub, 921600 baud)", () => {
  it.each([
    ["esp32", "24:0a:c4:12:34:56", "ESP32-D0WD-V3 (revision v3.0)", 300, 4 << 20, "4MB"],
    ["esp32s3", "24:0a:c4:00:00:01", "ESP32-S3 (QFN56) (revision v1.1)", 101, 8 << 20, "8MB"],
    ["esp32c3", "24:0a:c4:ab:cd:ef", "ESP32-C3 (QFN32) (revision v0.3)", 3, 2 << 20, "2MB"],
  ] as const)("%s: description fields equal the simulator's configuration", async (chip, mac, description, revisionFull, sizeBytes, flash) => {
    const { device, port } = await connectSim(`sim:${chip}?flash=${flash}&mac=${mac}`);
    expect(device.chip.chip).toBe(chip);
    expect(device.chip.mac).toBe(mac);
    expect(device.chip.description).toBe(description);
    expect(device.chip.revisionFull).toBe(revisionFull);
    expect(device.chip.flashSizeBytes).toBe(sizeBytes);
    expect(device.chip.flashId & 0xff).toBe(0xc8); // GigaDevice, the simulator's flash vendor
    expect(device.chip.crystalMhz).toBe(40);
    expect(device.chip.stub).toBe(true);
    // The ROM was switched to the transfer rate; the stub waits until something needs it.
    expect(port.chip.mode).toBe("rom");
    expect(port.chip.stats.uartBaud).toBe(921600);
    expect(port.baudRate).toBe(921600);
    await device.read(0, 16);
    expect(port.chip.mode).toBe("stub");
    expect(port.chip.stats.uartBaud).toBe(921600); // on the ESP32 too: the ROM's UART record was rewritten
  });

  it("checks an unchanged board without uploading the stub: the ROM answers the digests", async () => {
    const { device, port } = await connectSim("sim:esp32c3");
    port.chip.flash.bytes.fill(0x42, 0, 0x10000);
    const digests = await device.md5Many([0, 1, 2, 3].map((i) => ({ addr: i * 0x4000, sizeBytes: 0x4000 })));
    expect(digests).toHaveLength(4);
    expect(port.chip.mode).toBe("rom");
    expect(port.chip.flash.counters.commands.MEM_BEGIN).toBeUndefined();
  });

  it("reports the measured round trip and, until the stub runs, the ROM as a writer (with the stub's size)", async () => {
    const { device, port } = await connectSim("sim:esp32c3");
    // An in-process chip answers within milliseconds of wall time; a measurement exists and is small.
    expect(device.chip.link?.roundTripS).toBeGreaterThan(0);
    expect(device.chip.link?.roundTripS).toBeLessThan(0.5);
    // esptool-js 0.7.0's ESP32-C3 stub: text and data together are several KiB.
    expect(device.chip.romWrites).toEqual({ baudRate: 921600, stubBytes: expect.any(Number) });
    expect(device.chip.romWrites?.stubBytes).toBeGreaterThan(4096);
    // A write through the ROM leaves the stub where it is; the first stub operation uploads it and
    // the ROM stops being on offer.
    await device.write(0x10000, new Uint8Array(0x1000).fill(0x5a), { viaRom: true });
    expect(port.chip.mode).toBe("rom");
    expect(port.chip.flash.bytes[0x10000]).toBe(0x5a);
    await device.read(0, 16);
    expect(port.chip.mode).toBe("stub");
    expect(device.chip.romWrites).toBeUndefined();
  });

  it("offers no ROM writes without a stub to weigh them against (--no-stub)", async () => {
    const { device } = await connectSim("sim:esp32c3", { stub: false });
    expect(device.chip.stub).toBe(false);
    expect(device.chip.romWrites).toBeUndefined();
  });

  it("reports security info on chips that have GET_SECURITY_INFO, none on ESP32", async () => {
    const c3 = await connectSim("sim:esp32c3");
    expect(c3.device.chip.security).toMatchObject({ chipId: 5, secureDownloadMode: false, flashEncryption: false });
    const esp32 = await connectSim("sim:esp32");
    expect(esp32.device.chip.security).toBeUndefined();
  });

  it("resets from a running application into download mode", async () => {
    const { port } = await connectSim("sim:esp32c3?boot=app");
    expect(port.chip.mode).toBe("rom");
    expect(port.chip.stats.resets).toBeGreaterThan(0);
  });

  it("CHIP_MISMATCH when another chip was expected, and the port is released", async () => {
    const port = openSimPort("sim:esp32c3");
    const err = await connect(port, { expectedChip: "esp32s3" }).catch((e: unknown) => e);
    expect(isErrorCode(err, "CHIP_MISMATCH")).toBe(true);
    // The port is closed again: it can be opened by the next session.
    const device = await connect(port, { expectedChip: "esp32c3" });
    open.push(device);
    expect(device.chip.chip).toBe("esp32c3");
  });

  it("rejects an invalid reset sequence before touching the port", async () => {
    const port = openSimPort("sim:esp32c3");
    const err = await connect(port, { resetSequence: "D0|R1|W-1" }).catch((e: unknown) => e);
    expect(isErrorCode(err, "RESET_SEQUENCE_INVALID")).toBe(true);
    expect(port.chip.stats.framesFromHost).toBe(0);
  });

  it("a custom reset sequence is what resets the chip", async () => {
    const { port } = await connectSim("sim:esp32?boot=app", { resetSequence: "D0|R1|W100|D1|R0|W50|D0" });
    expect(port.chip.mode).toBe("rom");
    // The proof that it is the custom sequence that runs: one that pulses EN with IO0 released
    // (a plain reboot) leaves the chip running its application, and connecting fails.
    const reboot = openSimPort("sim:esp32?boot=app");
    const err = await connect(reboot, { resetSequence: "D0|R1|W100|R0|W50", connectAttempts: 1 }).catch((e: unknown) => e);
    expect(isErrorCode(err, "SYNC_FAILED")).toBe(true);
    expect(reboot.chip.mode).toBe("app");
    expect(reboot.chip.stats.resets).toBeGreaterThan(0);
  });
});

describe("baud rate fallback", () => {
  it("when the CHANGE_BAUDRATE reply is lost, continues at 115200 and still works", async () => {
    const port = openSimPort({ chip: "esp32c3", flashSizeBytes: 4 << 20, faults: [{ kind: "drop-response", op: 0x0f, nth: 1 }] });
    const log: string[] = [];
    const device = await connect(port, { log: (l) => log.push(l), timeouts: { defaultMs: 500 } });
    open.push(device);
    expect(log.some((l) => /continuing at 115200 baud/.test(l))).toBe(true);
    expect(port.baudRate).toBe(115200);
    expect(port.chip.stats.uartBaud).toBe(115200);
    expect(device.chip.stub).toBe(true);
    port.chip.flash.bytes.set([1, 2, 3, 4], 0x1000);
    const data = await device.read(0x1000, 4);
    expect(Array.from(data)).toEqual([1, 2, 3, 4]);
  });
});

describe("finish", () => {
  it("hard_reset pulses EN: the simulator boots the application", async () => {
    const { device, port } = await connectSim("sim:esp32c3");
    const text: string[] = [];
    port.chip.onTransmit((c) => text.push(Buffer.from(c).toString("latin1")));
    await device.finish("hard_reset");
    await new Promise((r) => setTimeout(r, 100));
    expect(port.chip.mode).toBe("app");
    // PROTOCOL.md §4.4: the C3 ROM's normal-boot line.
    expect(text.join("")).toContain("boot:0xc (SPI_FAST_FLASH_BOOT)");
  });

  it("no_reset with the stub sends nothing (esp-flasher-stub cannot reboot into the ROM) and leaves the flash alone", async () => {
    const { device, port } = await connectSim("sim:esp32c3");
    await device.read(0, 16); // the stub runs once a read needed it
    const written = port.chip.stats.bytesFromHost;
    const erases = port.chip.flash.counters.sectorsErased + port.chip.flash.counters.blocksErased;
    await device.finish("no_reset");
    expect(port.chip.mode).toBe("stub");
    expect(port.chip.stats.bytesFromHost).toBe(written);
    expect(port.chip.flash.counters.sectorsErased + port.chip.flash.counters.blocksErased).toBe(erases);
  });

  it("no_reset_stub leaves the stub running and closes the port", async () => {
    const { device, port } = await connectSim("sim:esp32c3");
    await device.read(0, 16); // the stub runs once a read needed it
    await device.finish("no_reset_stub");
    expect(port.chip.mode).toBe("stub");
    const err = await device.md5(0, 4096).catch((e: unknown) => e);
    expect(isErrorCode(err, "PORT_CLOSED")).toBe(true);
  });

  it("no_reset_no_sync finds the stub left running by the previous session", async () => {
    // Both sessions at 115200: the second one opens the port at the ROM rate and does not sync.
    const first = await connectSim("sim:esp32s3", { baudRate: 115200 });
    await first.device.read(0, 16); // the stub runs once a read needed it
    await first.device.finish("no_reset_stub");
    const framesBefore = first.port.chip.stats.framesFromHost;
    const resetsBefore = first.port.chip.stats.resets;
    const rec = recordWire(first.port);
    const second = await connect(rec.port, { before: "no_reset_no_sync", baudRate: 115200 });
    open.push(second);
    expect(second.chip.chip).toBe("esp32s3");
    expect(second.chip.stub).toBe(true);
    expect(second.chip.romWrites).toBeUndefined(); // the stub already runs: the ROM is not reachable
    expect(first.port.chip.stats.resets).toBe(resetsBefore);
    expect(first.port.chip.stats.framesFromHost).toBeGreaterThan(framesBefore);
    expect(rec.events.filter((e) => e.dir === "tx" && (e.op === 0x08 || e.op === 0x05))).toEqual([]); // no SYNC, no stub upload
    first.port.chip.flash.bytes.set([9, 8, 7], 0);
    expect(Array.from(await second.read(0, 3))).toEqual([9, 8, 7]);
  });
});

describe("trace", () => {
  it("prints decoded protocol lines", async () => {
    const lines: string[] = [];
    const rec = recordWire(openSimPort("sim:esp32c3"));
    const device = await connect(rec.port, { trace: (l) => lines.push(l) });
    open.push(device);
    expect(lines).toContain("-> SYNC len=36");
    expect(lines.some((l) => /^<- SYNC len=4 value=0x20120707 ok$/.test(l))).toBe(true);
    // The ROM is switched (second word 0); the stub comes with the first read.
    expect(lines.some((l) => /^-> CHANGE_BAUDRATE len=8 \[0xe1000, 0x0\]$/.test(l))).toBe(true);
    await device.read(0, 16);
    expect(lines).toContain("<- OHAI (stub running)");
  });
});
