import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EspsyncError } from "../../../src/errors.js";
import { listSerialPorts, type SerialPortListing } from "../../../adapters/serial/list-ports.js";
import { resolveAutoPort } from "../../../adapters/serial/resolve-auto-port.js";
import { readSysfsPorts } from "../../../adapters/serial/sysfs-ports.js";
import { guessBridge } from "../../../adapters/serial/usb-bridges.js";
import { buildFakeSysfs } from "./fake-sysfs.js";

let tree: { root: string; remove(): Promise<void> };
beforeAll(async () => {
  tree = await buildFakeSysfs("usb-serial-ports");
});
afterAll(() => tree.remove());

describe("listSerialPorts on the fake sysfs tree", () => {
  it("lists the four real ports with their USB identity, bridge and ESP likelihood, sorted by path", async () => {
    expect(await listSerialPorts({ sysfsRoot: tree.root })).toEqual([
      { path: "/dev/ttyACM0", vid: 0x303a, pid: 0x1001, serialNumber: "F4:12:FA:4C:21:10", manufacturer: "Espressif", product: "USB JTAG/serial debug unit", bridge: "Espressif USB-JTAG-Serial", likelyEsp: true },
      { path: "/dev/ttyS0", likelyEsp: false },
      { path: "/dev/ttyUSB0", vid: 0x10c4, pid: 0xea60, serialNumber: "0001", manufacturer: "Silicon Labs", product: "CP2102 USB to UART Bridge Controller", bridge: "CP210x", likelyEsp: true },
      { path: "/dev/ttyUSB1", vid: 0x1a86, pid: 0x7523, product: "USB2.0-Serial", bridge: "CH340", likelyEsp: true },
    ]);
  });

  it("reports device nodes under another /dev root when asked", async () => {
    const ports = await readSysfsPorts(tree.root, "/devroot");
    expect(ports.map((p) => p.path)).toEqual(["/devroot/ttyACM0", "/devroot/ttyS0", "/devroot/ttyUSB0", "/devroot/ttyUSB1"]);
  });

  it("gives an empty list for a machine without sysfs", async () => {
    expect(await listSerialPorts({ sysfsRoot: `${tree.root}/does-not-exist` })).toEqual([]);
  });
});

describe("guessBridge", () => {
  it.each([
    [0x10c4, 0xea60, "CP210x", true],
    [0x1a86, 0x7523, "CH340", true],
    [0x1a86, 0x55d4, "CH9102", true],
    [0x0403, 0x6010, "FTDI", true],
    [0x303a, 0x1001, "Espressif USB-JTAG-Serial", true],
    [0x303a, 0x0009, "Espressif USB-OTG", true],
    [0x067b, 0x2303, "PL2303", false],
  ] as const)("%s:%s is %s (likely ESP: %s)", (vid, pid, bridge, likelyEsp) => {
    expect(guessBridge(vid, pid)).toEqual({ bridge, likelyEsp });
  });

  it("knows nothing about an unknown vendor or a non-USB port", () => {
    expect(guessBridge(0x1234, 0x5678)).toEqual({ likelyEsp: false });
    expect(guessBridge(undefined, undefined)).toEqual({ likelyEsp: false });
  });
});

describe("resolveAutoPort", () => {
  const cp2102: SerialPortListing = { path: "/dev/ttyUSB0", vid: 0x10c4, pid: 0xea60, serialNumber: "0001", bridge: "CP210x", likelyEsp: true };
  const ch340: SerialPortListing = { path: "/dev/ttyUSB1", vid: 0x1a86, pid: 0x7523, bridge: "CH340", likelyEsp: true };
  const uart: SerialPortListing = { path: "/dev/ttyS0", likelyEsp: false };

  it("picks the single likely ESP port", () => {
    expect(resolveAutoPort([uart, cp2102])).toBe(cp2102);
  });

  it("refuses to guess between several candidates (PORT_AMBIGUOUS listing them)", async () => {
    const listed = await listSerialPorts({ sysfsRoot: tree.root });
    const err = catchError(() => resolveAutoPort(listed));
    expect(err.code).toBe("PORT_AMBIGUOUS");
    expect(err.message).toBe(
      "3 serial ports look like ESP boards: /dev/ttyACM0 (Espressif USB-JTAG-Serial 303a:1001, serial F4:12:FA:4C:21:10), " +
        "/dev/ttyUSB0 (CP210x 10c4:ea60, serial 0001), /dev/ttyUSB1 (CH340 1a86:7523)",
    );
    expect(catchError(() => resolveAutoPort([cp2102, ch340])).code).toBe("PORT_AMBIGUOUS");
  });

  it("says PORT_NOT_FOUND and names the other ports when none looks like an ESP", () => {
    const err = catchError(() => resolveAutoPort([uart]));
    expect(err.code).toBe("PORT_NOT_FOUND");
    expect(err.message).toBe("no ESP board found among the serial ports (only /dev/ttyS0)");
    expect(catchError(() => resolveAutoPort([])).message).toBe("no ESP board found among the serial ports (no serial ports at all)");
  });
});

function catchError(fn: () => unknown): EspsyncError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EspsyncError);
    return e as EspsyncError;
  }
  throw new Error("expected an error");
}
