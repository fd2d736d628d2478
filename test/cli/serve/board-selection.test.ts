/**
 * Which boards `espsync serve` serves and on which TCP port, as pure functions: the `-p` forms it
 * accepts, the order boards are offered in, and the port plan that keeps a board's port across
 * replugs and gives newcomers the next free one.
 */
import { describe, expect, it } from "vitest";
import type { SerialPortListing } from "../../../adapters/index.js";
import { EspsyncError } from "../../../src/errors.js";
import { namedBoards, parseServeSpecs, presentBoards } from "../../../src/cli/serve/board-selection.js";
import { TcpPortPlan } from "../../../src/cli/serve/port-plan.js";

const esp = (path: string, serialNumber?: string): SerialPortListing => ({ path, vid: 0x10c4, pid: 0xea60, bridge: "CP210x", likelyEsp: true, ...(serialNumber !== undefined && { serialNumber }) });
const none = (): boolean => false;

describe("parseServeSpecs", () => {
  it("takes device paths, serial:, sim: and auto; nothing means auto", () => {
    expect(parseServeSpecs([])).toEqual([{ kind: "auto" }]);
    expect(parseServeSpecs(["/dev/ttyUSB0", "COM7", "serial:AB12", "sim:esp32c3?seed=1", "auto"])).toEqual([
      { kind: "path", path: "/dev/ttyUSB0" },
      { kind: "path", path: "COM7" },
      { kind: "serial", serialNumber: "AB12" },
      { kind: "sim", url: "sim:esp32c3?seed=1" },
      { kind: "auto" },
    ]);
  });

  it.each([
    ["socket://host:4000", /serves boards attached to this machine/],
    ["rfc2217://host:4000", /serves boards attached to this machine/],
    ["mac:24:0a:c4:00:00:01", /cannot pick a board by MAC/],
    ["ttyUSB0", /unknown port/],
  ])("refuses %s with USAGE", (text, message) => {
    const error = (() => {
      try {
        parseServeSpecs([text]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EspsyncError);
    expect((error as EspsyncError).code).toBe("USAGE");
    expect((error as EspsyncError).message).toMatch(message);
    expect((error as EspsyncError).hint).toBeDefined();
  });

  it("refuses a board named twice (serial numbers compare without case)", () => {
    expect(() => parseServeSpecs(["serial:ab", "serial:AB"])).toThrow(/named twice/);
  });
});

describe("presentBoards", () => {
  it("auto: ESP-looking ports by USB serial number (numeric order), then the others by path; no other ports", () => {
    const listing = [esp("/dev/ttyUSB3"), esp("/dev/ttyUSB0", "B-10"), { path: "/dev/ttyS0", likelyEsp: false }, esp("/dev/ttyUSB1", "B-9"), esp("/dev/ttyACM0")];
    expect(presentBoards(parseServeSpecs([]), listing, none).map((b) => [b.key, b.url])).toEqual([
      ["serial:b-9", "/dev/ttyUSB1"],
      ["serial:b-10", "/dev/ttyUSB0"],
      ["path:/dev/ttyACM0", "/dev/ttyACM0"],
      ["path:/dev/ttyUSB3", "/dev/ttyUSB3"],
    ]);
  });

  it("named boards first, in command-line order; auto adds the rest without serving a board twice", () => {
    const listing = [esp("/dev/ttyUSB0", "A"), esp("/dev/ttyUSB1", "B"), esp("/dev/ttyUSB2", "C")];
    const specs = parseServeSpecs(["serial:c", "/dev/ttyUSB0", "auto"]);
    expect(presentBoards(specs, listing, none).map((b) => b.key)).toEqual(["serial:c", "path:/dev/ttyUSB0", "serial:b"]);
    expect(namedBoards(specs)).toEqual([
      { key: "serial:c", label: "serial:c" },
      { key: "path:/dev/ttyUSB0", label: "/dev/ttyUSB0" },
    ]);
  });

  it("a named board follows its serial number to a new path; a named path outside the listing counts when it exists", () => {
    const specs = parseServeSpecs(["serial:A", "/dev/serial/by-id/usb-board", "sim:esp32"]);
    const boards = presentBoards(specs, [esp("/dev/ttyUSB7", "a")], (p) => p === "/dev/serial/by-id/usb-board");
    expect(boards.map((b) => [b.key, b.url, b.label])).toEqual([
      ["serial:a", "/dev/ttyUSB7", "/dev/ttyUSB7 (CP210x 10c4:ea60, serial a)"],
      ["path:/dev/serial/by-id/usb-board", "/dev/serial/by-id/usb-board", "/dev/serial/by-id/usb-board"],
      ["sim:sim:esp32", "sim:esp32", "sim:esp32"],
    ]);
    expect(presentBoards(specs, [], none).map((b) => b.key)).toEqual(["sim:sim:esp32"]);
  });
});

describe("TcpPortPlan", () => {
  it("named boards hold base, base+1, … even before they appear; others take the next free port and keep it", () => {
    const plan = new TcpPortPlan(4000, ["serial:a", "path:/dev/ttyUSB1"]);
    expect(plan.portFor("serial:z")).toBe(4002);
    expect(plan.portFor("serial:a")).toBe(4000);
    expect(plan.portFor("serial:b")).toBe(4003);
    expect(plan.portFor("serial:z")).toBe(4002); // came back
    expect(plan.keys).toEqual(["serial:a", "path:/dev/ttyUSB1", "serial:z", "serial:b"]);
  });

  it("base 0 leaves every port to the OS", () => {
    const plan = new TcpPortPlan(0, ["sim:x"]);
    expect([plan.portFor("sim:x"), plan.portFor("serial:q")]).toEqual([0, 0]);
  });

  it("refuses to go past 65535", () => {
    const plan = new TcpPortPlan(65535, []);
    expect(plan.portFor("serial:a")).toBe(65535);
    expect(() => plan.portFor("serial:b")).toThrow(/no TCP port left above 65535/);
  });
});
