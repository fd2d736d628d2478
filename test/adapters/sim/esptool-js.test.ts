/**
 * esptool-js 0.7.0, unmodified, drives the virtual chip through the Web-Serial shim: connect with
 * the classic reset, stub upload, baud change, flash id, compressed and plain writes, MD5, read,
 * erase. Asserts the flash contents and that nothing beyond the written extent was erased.
 */
import { ESPLoader, Transport } from "esptool-js";
import { describe, expect, it } from "vitest";
import { openSimPort, SIM_CHIPS, type SimChipName } from "../../../adapters/sim/index.js";
import { toWebSerialPort } from "../../../src/transport/web-serial-shim.js";
import { md5Hex, pseudoRandom } from "./helpers.js";

const terminal = { clean() {}, writeLine() {}, write() {} };

async function connect(chipName: SimChipName, portKind: "uart" | "usb-jtag" = "uart") {
  const port = openSimPort({ chip: chipName, flashSizeBytes: 0x400000, seed: 3, boot: "app", portKind });
  const transport = new Transport(toWebSerialPort(port) as never, false);
  const loader = new ESPLoader({ transport, baudrate: 921600, romBaudrate: 115200, terminal, enableTracing: false });
  const description = await loader.main("default_reset");
  return { port, chip: port.chip, loader, transport, description };
}

const CASES: { chip: SimChipName; name: RegExp }[] = [
  { chip: "esp32", name: /^ESP32-D0WD-V3 \(revision 3\)$/ },
  { chip: "esp32s3", name: /^ESP32-S3 \(QFN56\) \(revision v1\.1\)$/ },
  { chip: "esp32c3", name: /^ESP32-C3 \(QFN32\) \(revision v0\.3\)$/ },
  { chip: "esp32s2", name: /^ESP32-S2/ },
  { chip: "esp32c6", name: /^ESP32-C6/ },
  { chip: "esp32h2", name: /^ESP32-H2/ },
  // esptool-js prints the C2's major revision alone ("revision 1"); the C5's and P4's as vM.m.
  { chip: "esp32c2", name: /^ESP32-C2 \(revision 1\)$/ },
  { chip: "esp32c5", name: /^ESP32-C5 \(revision v0\.1\)$/ },
  { chip: "esp32p4", name: /^ESP32-P4 \(revision v1\.0\)$/ },
  { chip: "esp32c61", name: /^ESP32-C61 \(revision v1\.0\)$/ },
];

it("every simulated chip is covered", () => {
  expect(CASES.map((c) => c.chip).sort()).toEqual([...SIM_CHIPS].sort());
});

describe("esptool-js 0.7.0 against the virtual chip", () => {
  for (const c of CASES) {
    it(`${c.chip}: connects, runs the stub at 921600 and writes, verifies, reads and erases`, async () => {
      const { chip, loader, transport, description } = await connect(c.chip);
      expect(description).toMatch(c.name);
      expect(chip.mode).toBe("stub");
      expect(chip.stats.uartBaud).toBe(921600);
      expect(await loader.readFlashId()).toBe(0x1640c8);

      // Compressed write of 70 000 bytes at 0x10000: extent 0x10000..0x22000 = one 64 KiB block + 2 sectors.
      const a = pseudoRandom(70_000, 11);
      chip.flash.resetCounters();
      await loader.writeFlash({ fileArray: [{ data: a, address: 0x10000 }], flashMode: "keep", flashFreq: "keep", flashSize: "keep", compress: true, eraseAll: false });
      expect(Buffer.from(chip.flash.bytes.subarray(0x10000, 0x10000 + a.length)).equals(Buffer.from(a))).toBe(true);
      expect(chip.flash.counters.blocksErased).toBe(1);
      expect(chip.flash.counters.sectorsErased).toBe(2);
      expect(chip.flash.counters.bytesProgrammed).toBe(70_000);
      expect(chip.flash.bytes[0x10000 + 70_000]).toBe(0xff); // rest of the last sector stays erased

      // Plain write of 5000 bytes at 0x3000 (padded to 0x4000 on the wire, clipped by the stub).
      const b = pseudoRandom(5000, 12);
      chip.flash.resetCounters();
      await loader.writeFlash({ fileArray: [{ data: b, address: 0x3000 }], flashMode: "keep", flashFreq: "keep", flashSize: "keep", compress: false, eraseAll: false });
      expect(Buffer.from(chip.flash.bytes.subarray(0x3000, 0x3000 + 5000)).equals(Buffer.from(b))).toBe(true);
      expect(chip.flash.counters.sectorsErased).toBe(2);
      expect(chip.flash.counters.blocksErased).toBe(0);
      expect(chip.flash.counters.bytesProgrammed).toBe(5000);
      expect(chip.flash.counters.commands.FLASH_DATA).toBe(1);

      expect(await loader.flashMd5sum(0x10000, a.length)).toBe(md5Hex(a));
      const read = await loader.readFlash(0x3000, 5000);
      expect(Buffer.from(read).equals(Buffer.from(b))).toBe(true);

      // esptool-js stops reading at the last data packet and acknowledges it; the stub answers that
      // acknowledgement with the stream's MD5 and is busy until the host has it, so a command sent
      // straight after readFlash is dropped — as the real stub drops it (seen under QEMU: "Serial
      // data stream stopped"). A host that waits for the MD5 frame first gets its answer.
      const readsBefore = chip.flash.counters.commands.READ_REG ?? 0;
      await expect(loader.readReg(0x40001000, 300)).rejects.toThrow();
      expect(chip.flash.counters.commands.READ_REG ?? 0).toBe(readsBefore);
      await loader.eraseFlash();
      expect(chip.flash.bytes.every((x) => x === 0xff)).toBe(true);
      await transport.disconnect();
    });
  }

  it("esp32c3 over USB-Serial/JTAG: the USB reset sequence reaches download mode", async () => {
    const { chip, transport } = await connect("esp32c3", "usb-jtag");
    expect(chip.mode).toBe("stub");
    await transport.disconnect();
  });

  it("compressed write that spans two FLASH_DEFL_DATA packets split mid-stream", async () => {
    const { chip, loader, transport } = await connect("esp32c3");
    const data = pseudoRandom(40_000, 99); // incompressible: 3 packets of ≤ 0x4000 compressed bytes
    chip.flash.resetCounters();
    await loader.writeFlash({ fileArray: [{ data, address: 0x20000 }], flashMode: "keep", flashFreq: "keep", flashSize: "keep", compress: true, eraseAll: false });
    expect(chip.flash.counters.commands.FLASH_DEFL_DATA).toBe(3);
    expect(Buffer.from(chip.flash.bytes.subarray(0x20000, 0x20000 + data.length)).equals(Buffer.from(data))).toBe(true);
    expect(chip.flash.counters.sectorsErased).toBe(10); // ceil(40000 / 4096)
    await transport.disconnect();
  });
});
