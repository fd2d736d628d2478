/**
 * From what the user wrote after `--port` (or in ESPSYNC_PORT) to the port URLs to open: a path or
 * URL as is, `auto` (the one port that looks like an ESP board), `serial:<usb serial number>` (by
 * the USB identity in the port list), `mac:<factory MAC>` (by asking each candidate board its MAC).
 * Every spec is checked for form before anything is opened.
 */
import { PORT_FORMS, portKind, resolveAutoPort, type SerialPortListing } from "../../../adapters/index.js";
import { EspsyncError } from "../../errors.js";
import { plural } from "../../util/plural.js";

/** How ports are found and identified (the io hooks in tests, the adapters otherwise). */
export interface PortFinder {
  /** The machine's serial ports. */
  readonly list: () => Promise<SerialPortListing[]>;
  /** Connects to `url` just long enough to read the chip's factory MAC. */
  readonly readMac: (url: string) => Promise<string>;
}

/** A parsed `--port` value. */
export type PortSpec =
  | { readonly kind: "url"; readonly url: string }
  | { readonly kind: "auto" }
  | { readonly kind: "serial"; readonly serialNumber: string }
  | { readonly kind: "mac"; readonly mac: string };

/** Normalises a MAC to `aa:bb:cc:dd:ee:ff`; undefined when it is not six hex pairs. */
export function normaliseMac(text: string): string | undefined {
  const parts = text.trim().toLowerCase().split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-f]{2}$/.test(p))) return undefined;
  return parts.join(":");
}

/** Parses one `--port` value; throws USAGE for an unknown form. Pure. */
export function parsePortSpec(text: string): PortSpec {
  const value = text.trim();
  if (value === "auto") return { kind: "auto" };
  if (value.startsWith("serial:")) {
    const serialNumber = value.slice("serial:".length);
    if (serialNumber === "") throw new EspsyncError("USAGE", "--port serial: needs a USB serial number", { hint: "Run `espsync ports` to see the serial numbers, e.g. --port serial:0001" });
    return { kind: "serial", serialNumber };
  }
  if (value.startsWith("mac:")) {
    const mac = normaliseMac(value.slice("mac:".length));
    if (mac === undefined) throw new EspsyncError("USAGE", `--port ${value}: not a MAC address`, { hint: "Write six hex pairs, e.g. --port mac:24:0a:c4:12:34:56 (espsync info prints it)" });
    return { kind: "mac", mac };
  }
  if (portKind(value) === undefined) throw new EspsyncError("USAGE", `unknown port ${JSON.stringify(value)}`, { hint: `Use ${PORT_FORMS}, auto, serial:<usb-serial> or mac:<mac>` });
  return { kind: "url", url: value };
}

/**
 * Resolves the specs to distinct port URLs, in the order given. No spec means `auto`. Throws
 * PORT_NOT_FOUND / PORT_AMBIGUOUS when an identity matches no port or several, USAGE for duplicates.
 */
export async function selectPorts(texts: readonly string[], finder: PortFinder): Promise<string[]> {
  const specs = (texts.length === 0 ? ["auto"] : texts).map(parsePortSpec);
  let listing: SerialPortListing[] | undefined;
  const list = async (): Promise<SerialPortListing[]> => (listing ??= await finder.list());
  const urls: string[] = [];
  for (const spec of specs) {
    switch (spec.kind) {
      case "url":
        urls.push(spec.url);
        break;
      case "auto":
        urls.push(resolveAutoPort(await list()).path);
        break;
      case "serial":
        urls.push(bySerial(await list(), spec.serialNumber).path);
        break;
      case "mac":
        urls.push(await byMac(await list(), spec.mac, finder, urls));
        break;
    }
  }
  const seen = new Set<string>();
  for (const url of urls) {
    if (seen.has(url)) throw new EspsyncError("USAGE", `port ${url} is named twice`, { hint: "Name each board once; auto, serial: and mac: may pick a port you also named" });
    seen.add(url);
  }
  return urls;
}

function bySerial(ports: readonly SerialPortListing[], serialNumber: string): SerialPortListing {
  const matches = ports.filter((p) => p.serialNumber?.toLowerCase() === serialNumber.toLowerCase());
  const [only] = matches;
  if (matches.length === 1 && only !== undefined) return only;
  if (matches.length === 0) {
    const known = ports.flatMap((p) => (p.serialNumber === undefined ? [] : [`${p.path} (${p.serialNumber})`]));
    throw new EspsyncError("PORT_NOT_FOUND", `no serial port has the USB serial number ${serialNumber}${known.length ? `; found ${known.join(", ")}` : ""}`, {
      hint: "Run `espsync ports` to see the ports and their serial numbers",
    });
  }
  throw new EspsyncError("PORT_AMBIGUOUS", `${matches.length} ports have the USB serial number ${serialNumber}: ${matches.map((p) => p.path).join(", ")}`, {
    hint: "Name the port by path instead",
  });
}

/** Asks every likely ESP port (not already chosen) for its MAC, one at a time (each connect resets a board). */
async function byMac(ports: readonly SerialPortListing[], mac: string, finder: PortFinder, taken: readonly string[]): Promise<string> {
  const candidates = ports.filter((p) => p.likelyEsp && !taken.includes(p.path));
  const seen: string[] = [];
  for (const candidate of candidates) {
    try {
      const found = await finder.readMac(candidate.path);
      if (found === mac) return candidate.path;
      seen.push(`${candidate.path} has ${found}`);
    } catch (error) {
      seen.push(`${candidate.path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new EspsyncError("PORT_NOT_FOUND", `no board with MAC ${mac} among ${plural(candidates.length, "candidate port")}${seen.length ? ` (${seen.join("; ")})` : ""}`, {
    hint: "Check the MAC (espsync info prints it) and that the board is connected",
  });
}
