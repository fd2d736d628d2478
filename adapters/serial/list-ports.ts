/**
 * Serial-port discovery: serialport's own listing (udev on Linux, IOKit on macOS, SetupAPI on Windows)
 * merged with what Linux sysfs says, so ports are found and identified even where `udevadm` is missing.
 */
import { guessBridge, type UsbBridge } from "./usb-bridges.js";
import { readSysfsPorts, type SysfsPort } from "./sysfs-ports.js";

/** One serial port found on this machine. */
export interface SerialPortListing {
  /** Device path (`/dev/ttyUSB0`, `/dev/cu.usbserial-0001`, `COM3`). */
  readonly path: string;
  /** USB vendor id. */
  readonly vid?: number;
  /** USB product id. */
  readonly pid?: number;
  readonly serialNumber?: string;
  readonly manufacturer?: string;
  readonly product?: string;
  /** The USB-UART bridge, when the USB id is a known one. */
  readonly bridge?: UsbBridge;
  /** True when the bridge is one ESP32 boards commonly use. */
  readonly likelyEsp: boolean;
}

/** Options of {@link listSerialPorts}. */
export interface ListSerialPortsOptions {
  /** Read this directory instead of `/sys` (tests use a fake tree). Implies `useSerialportList: false`. */
  sysfsRoot?: string;
  /** Ask serialport's native listing too (default: true unless `sysfsRoot` is given). */
  useSerialportList?: boolean;
}

/** Lists the serial ports of this machine, sorted by path. Never rejects: a failing source is skipped. */
export async function listSerialPorts(options: ListSerialPortsOptions = {}): Promise<SerialPortListing[]> {
  const useNative = options.useSerialportList ?? options.sysfsRoot === undefined;
  const useSysfs = options.sysfsRoot !== undefined || process.platform === "linux";
  const [native, sysfs] = await Promise.all([
    useNative ? listNative() : Promise.resolve([]),
    useSysfs ? readSysfsPorts(options.sysfsRoot).catch(() => []) : Promise.resolve([]),
  ]);
  const byPath = new Map<string, SysfsPort>();
  for (const port of native) byPath.set(port.path, port);
  for (const port of sysfs) {
    const known = byPath.get(port.path);
    // sysfs fills what udev left out; udev wins where both know a value (it decodes names better).
    byPath.set(port.path, known === undefined ? port : { ...port, ...withoutUndefined(known) });
  }
  return [...byPath.values()]
    .map(toListing)
    .sort((a, b) => a.path.localeCompare(b.path, "en", { numeric: true }));
}

function toListing(port: SysfsPort): SerialPortListing {
  const guess = guessBridge(port.vendorId, port.productId);
  const entries = {
    path: port.path,
    vid: port.vendorId,
    pid: port.productId,
    serialNumber: port.serialNumber,
    manufacturer: port.manufacturer,
    product: port.product,
    bridge: guess.bridge,
    likelyEsp: guess.likelyEsp,
  };
  return withoutUndefined(entries) as SerialPortListing;
}

async function listNative(): Promise<SysfsPort[]> {
  try {
    // Loaded on first use, like the port itself (serial-port-port.ts).
    const { SerialPort } = await import("serialport");
    const ports = await SerialPort.list();
    return ports.map((p) =>
      withoutUndefined({
        path: p.path,
        vendorId: p.vendorId === undefined ? undefined : parseInt(p.vendorId, 16),
        productId: p.productId === undefined ? undefined : parseInt(p.productId, 16),
        serialNumber: p.serialNumber,
        manufacturer: p.manufacturer,
      }) as SysfsPort,
    );
  } catch {
    return []; // e.g. `spawn udevadm ENOENT` in containers; sysfs covers Linux
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && !(typeof v === "number" && Number.isNaN(v))),
  ) as Partial<T>;
}
