/**
 * Serial-port discovery straight from Linux sysfs, for machines without `udevadm` (minimal Docker
 * images, where serialport's own listing fails): `/sys/class/tty/<name>/device` points at the port's
 * device; the USB device that owns it (the first ancestor with an `idVendor` file) names the bridge.
 */
import { readdir, readFile, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative } from "node:path";

/** What sysfs says about one serial port. */
export interface SysfsPort {
  /** Device node, e.g. `/dev/ttyUSB0`. */
  readonly path: string;
  readonly vendorId?: number;
  readonly productId?: number;
  readonly serialNumber?: string;
  readonly manufacturer?: string;
  readonly product?: string;
}

/** How far up from the tty's device directory to look for the USB device (interface → device). */
const MAX_USB_ANCESTOR_LEVELS = 4;

/**
 * Lists the serial ports sysfs knows under `sysfsRoot` (default `/sys`), reporting device nodes under
 * `devRoot` (default `/dev`). Ports without a backing device (virtual consoles, pseudo-terminals) and the
 * placeholder legacy UARTs (`type` 0) are left out. A missing sysfs gives [].
 */
export async function readSysfsPorts(sysfsRoot = "/sys", devRoot = "/dev"): Promise<SysfsPort[]> {
  const classDir = join(sysfsRoot, "class", "tty");
  let names: string[];
  try {
    names = await readdir(classDir);
  } catch {
    return [];
  }
  const ports: SysfsPort[] = [];
  for (const name of names.sort()) {
    const deviceDir = await realpathOrUndefined(join(classDir, name, "device"));
    if (deviceDir === undefined) continue; // virtual tty: no hardware behind it
    // The 8250 driver registers ttyS0..31 whether or not a UART exists; `type` 0 (PORT_UNKNOWN) marks
    // the placeholders.
    if ((await readAttribute(join(classDir, name), "type")) === "0") continue;
    const usbDir = await findUsbDevice(deviceDir, await realpathOrUndefined(sysfsRoot));
    ports.push({ path: join(devRoot, name), ...(usbDir === undefined ? {} : await readUsbAttributes(usbDir)) });
  }
  return ports;
}

async function findUsbDevice(start: string, root: string | undefined): Promise<string | undefined> {
  let dir = start;
  for (let level = 0; level <= MAX_USB_ANCESTOR_LEVELS; level++) {
    if ((await readAttribute(dir, "idVendor")) !== undefined) return dir;
    const parent = dirname(dir);
    // Stay inside the sysfs tree (matters for a test tree in a temporary directory).
    if (parent === dir || (root !== undefined && isOutside(root, parent))) return undefined;
    dir = parent;
  }
  return undefined;
}

function isOutside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel);
}

async function readUsbAttributes(dir: string): Promise<Omit<SysfsPort, "path">> {
  const [vendor, product, serialNumber, manufacturer, productName] = await Promise.all(
    ["idVendor", "idProduct", "serial", "manufacturer", "product"].map((file) => readAttribute(dir, file)),
  );
  const hex = (text: string | undefined): number | undefined => {
    const value = text === undefined ? NaN : parseInt(text, 16);
    return Number.isNaN(value) ? undefined : value;
  };
  return omitUndefined({ vendorId: hex(vendor), productId: hex(product), serialNumber, manufacturer, product: productName });
}

async function readAttribute(dir: string, file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(join(dir, file), "utf8")).trim();
    return text === "" ? undefined : text;
  } catch {
    return undefined;
  }
}

async function realpathOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
