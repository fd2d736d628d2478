/**
 * Which boards `espsync serve` serves, decided afresh from every port listing: the `-p` values
 * (device paths, `serial:<usb serial>`, `sim:` URLs, `auto`) against the ports present now. Each
 * board gets a key — its identity across unplug and replug — that the TCP port assignment is
 * remembered by. Pure.
 */
import { describePort, portKind, type SerialPortListing } from "../../../adapters/index.js";
import { EspsyncError } from "../../errors.js";
import { parsePortSpec } from "../ports/select-ports.js";

/** One `-p` value of `espsync serve`. */
export type ServeSpec =
  | { readonly kind: "path"; readonly path: string }
  | { readonly kind: "serial"; readonly serialNumber: string }
  | { readonly kind: "sim"; readonly url: string }
  | { readonly kind: "auto" };

/** A board that is there now. */
export interface PresentBoard {
  /** Identity across replugs: `serial:<usb serial>`, `path:<device>` or `sim:<url>`. */
  readonly key: string;
  /** What to open. */
  readonly url: string;
  /** How messages name it, e.g. `/dev/ttyUSB0 (CP210x 10c4:ea60, serial 0001)`. */
  readonly label: string;
  /** What the port listing says about it (serial devices only). */
  readonly listing?: SerialPortListing;
}

/** A board named on the command line, present or not: its key and name while absent. */
export interface NamedBoard {
  readonly key: string;
  readonly label: string;
}

/**
 * Parses the `-p` values for `serve` (none means `auto`: every port that looks like an ESP board).
 * Throws USAGE for forms serve cannot serve (network ports, `mac:` — finding a MAC means resetting
 * every board) and for a board named twice.
 */
export function parseServeSpecs(texts: readonly string[]): ServeSpec[] {
  const specs = (texts.length === 0 ? ["auto"] : texts).map((text): ServeSpec => {
    const spec = parsePortSpec(text);
    switch (spec.kind) {
      case "auto":
        return spec;
      case "serial":
        return spec;
      case "mac":
        throw new EspsyncError("USAGE", `espsync serve cannot pick a board by MAC (--port ${text})`, {
          hint: "Finding a MAC means resetting every board; name it by device path or serial:<usb serial> (see `espsync ports`).",
        });
      case "url": {
        const kind = portKind(spec.url);
        if (kind === "serial") return { kind: "path", path: spec.url };
        if (kind === "sim") return { kind: "sim", url: spec.url };
        throw new EspsyncError("USAGE", `espsync serve serves boards attached to this machine, not ${spec.url}`, {
          hint: "Use a device path (/dev/ttyUSB0, COM3), serial:<usb serial>, a sim: URL, or auto.",
        });
      }
    }
  });
  const seen = new Set<string>();
  for (const spec of specs) {
    const key = spec.kind === "auto" ? "auto" : namedKey(spec);
    if (seen.has(key)) throw new EspsyncError("USAGE", `espsync serve: ${describeSpec(spec)} is named twice`, { hint: "Name each board once." });
    seen.add(key);
  }
  return specs;
}

/** The boards named by `-p` (everything but `auto`), in command-line order: each keeps one TCP port. */
export function namedBoards(specs: readonly ServeSpec[]): NamedBoard[] {
  return specs.flatMap((spec) => (spec.kind === "auto" ? [] : [{ key: namedKey(spec), label: describeSpec(spec) }]));
}

/**
 * The boards present now. Named boards come first, in command-line order; then, for `auto`, every
 * listed port that looks like an ESP board and is not named, ordered by USB serial number (boards
 * with one first), then by path — so the same set of boards gets the same TCP ports on every start.
 * `exists` tells whether a device path not in the listing exists (e.g. /dev/serial/by-id links).
 */
export function presentBoards(specs: readonly ServeSpec[], listing: readonly SerialPortListing[], exists: (path: string) => boolean): PresentBoard[] {
  const boards: PresentBoard[] = [];
  const taken = new Set<string>();
  for (const spec of specs) {
    if (spec.kind === "auto") continue;
    const key = namedKey(spec);
    if (spec.kind === "sim") boards.push({ key, url: spec.url, label: spec.url });
    else if (spec.kind === "path") {
      const listed = listing.find((p) => p.path === spec.path);
      if (listed !== undefined) boards.push({ key, url: listed.path, label: describePort(listed), listing: listed });
      else if (exists(spec.path)) boards.push({ key, url: spec.path, label: spec.path });
      taken.add(spec.path);
    } else {
      const wanted = spec.serialNumber.toLowerCase();
      const listed = listing.find((p) => p.serialNumber?.toLowerCase() === wanted);
      if (listed !== undefined) {
        boards.push({ key, url: listed.path, label: describePort(listed), listing: listed });
        taken.add(listed.path);
      }
    }
  }
  if (specs.some((s) => s.kind === "auto")) {
    const named = new Set(boards.map((b) => b.key));
    const auto = listing
      .filter((p) => p.likelyEsp && !taken.has(p.path))
      .map((p): PresentBoard => ({ key: listedKey(p), url: p.path, label: describePort(p), listing: p }))
      .filter((b) => !named.has(b.key));
    boards.push(...auto.sort(byIdentity));
  }
  return boards;
}

/** Boards with a USB serial number first, by serial number; then the others by path. */
function byIdentity(a: PresentBoard, b: PresentBoard): number {
  const sa = a.listing?.serialNumber;
  const sb = b.listing?.serialNumber;
  if (sa !== undefined && sb !== undefined) return sa.localeCompare(sb, "en", { numeric: true });
  if (sa !== undefined) return -1;
  if (sb !== undefined) return 1;
  return a.url.localeCompare(b.url, "en", { numeric: true });
}

function listedKey(port: SerialPortListing): string {
  return port.serialNumber !== undefined ? `serial:${port.serialNumber.toLowerCase()}` : `path:${port.path}`;
}

function namedKey(spec: Exclude<ServeSpec, { kind: "auto" }>): string {
  switch (spec.kind) {
    case "path":
      return `path:${spec.path}`;
    case "serial":
      return `serial:${spec.serialNumber.toLowerCase()}`;
    case "sim":
      return `sim:${spec.url}`;
  }
}

function describeSpec(spec: ServeSpec): string {
  switch (spec.kind) {
    case "path":
      return spec.path;
    case "serial":
      return `serial:${spec.serialNumber}`;
    case "sim":
      return spec.url;
    case "auto":
      return "auto";
  }
}
