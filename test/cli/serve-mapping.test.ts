/**
 * The board → TCP port mapping `espsync serve` prints: which ports it serves by default (those that
 * look like ESP boards), in which order (USB serial number, then path), the same after a restart
 * whatever order the system lists them in, printed again when a board comes or goes, as JSON lines
 * with `--json`; boards named with -p hold their ports in command-line order, present or not.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openPort, type SerialPortListing } from "../../adapters/index.js";
import { runCli } from "./helpers.js";
import { fakeListing, freePortRange, startServe, type RunningServe } from "./serve-rig.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Three ESP-looking boards (one without a serial number) and a port that is no ESP board. */
const BOARDS: SerialPortListing[] = [
  fakeListing("/dev/ttyUSB0", "Z-9"),
  { path: "/dev/ttyACM0", vid: 0x303a, pid: 0x1001, bridge: "Espressif USB-JTAG-Serial", likelyEsp: true },
  fakeListing("/dev/ttyUSB1", "A-10"),
  fakeListing("/dev/ttyUSB2", "A-9"),
  { path: "/dev/ttyS0", likelyEsp: false },
];

function serveWith(args: string[], listing: () => SerialPortListing[]): RunningServe {
  // Every board is a virtual chip; nothing here opens them (no client connects).
  const serve = startServe(args, { listSerialPorts: async () => listing(), openPort: () => openPort("sim:esp32") });
  cleanups.push(() => serve.stop());
  return serve;
}

/** The mapping lines of the latest mapping print in `text`. */
function lastMapping(text: string): string[] {
  const blocks = text.split(/^espsync serve: \d+ boards? \(RFC 2217, one client each\):\n/m);
  return (blocks.at(-1) ?? "").split("\n").filter((l) => l.startsWith("  ")).map((l) => l.trim());
}

describe("espsync serve: the mapping", () => {
  it("serves the ESP-looking ports by USB serial number, then by path, and a restart with the ports listed in another order gives the same mapping", async () => {
    const base = await freePortRange(4);
    const expected = [
      `rfc2217://127.0.0.1:${base}  /dev/ttyUSB2 (CP210x 10c4:ea60, serial A-9)  ready`,
      `rfc2217://127.0.0.1:${base + 1}  /dev/ttyUSB1 (CP210x 10c4:ea60, serial A-10)  ready`,
      `rfc2217://127.0.0.1:${base + 2}  /dev/ttyUSB0 (CP210x 10c4:ea60, serial Z-9)  ready`,
      `rfc2217://127.0.0.1:${base + 3}  /dev/ttyACM0 (Espressif USB-JTAG-Serial 303a:1001)  ready`,
    ];
    const first = serveWith(["--listen", `127.0.0.1:${base}`], () => BOARDS);
    await first.waitFor(/press Ctrl-C to stop/);
    expect(first.stdout().split("\n")[0]).toBe("espsync serve: 4 boards (RFC 2217, one client each):");
    expect(lastMapping(first.stdout())).toEqual(expected);
    expect(await first.stop()).toBe(0);
    expect(first.stdout()).toContain("espsync serve: stopped");

    const second = serveWith(["--listen", `127.0.0.1:${base}`], () => [...BOARDS].reverse());
    await second.waitFor(/press Ctrl-C to stop/);
    expect(lastMapping(second.stdout())).toEqual(expected);
  });

  it("prints the mapping again when a board arrives or leaves; the others keep their ports, a newcomer takes the next free one", async () => {
    const base = await freePortRange(4);
    let listing = BOARDS.slice(0, 3);
    const serve = serveWith(["--listen", `127.0.0.1:${base}`], () => listing);
    await serve.waitFor(/press Ctrl-C to stop/);
    expect(lastMapping(serve.stdout())).toEqual([
      `rfc2217://127.0.0.1:${base}  /dev/ttyUSB1 (CP210x 10c4:ea60, serial A-10)  ready`,
      `rfc2217://127.0.0.1:${base + 1}  /dev/ttyUSB0 (CP210x 10c4:ea60, serial Z-9)  ready`,
      `rfc2217://127.0.0.1:${base + 2}  /dev/ttyACM0 (Espressif USB-JTAG-Serial 303a:1001)  ready`,
    ]);
    let printed = serve.stdout().length;
    // A-9 sorts first, but arrives late: it gets the next free port, nobody moves. Z-9 leaves.
    listing = [BOARDS[1]!, BOARDS[2]!, BOARDS[3]!];
    await serve.waitFor(/serial A-9\) {2}ready/, 5_000, printed);
    expect(lastMapping(serve.stdout())).toEqual([
      `rfc2217://127.0.0.1:${base}  /dev/ttyUSB1 (CP210x 10c4:ea60, serial A-10)  ready`,
      `rfc2217://127.0.0.1:${base + 1}  /dev/ttyUSB0 (CP210x 10c4:ea60, serial Z-9)  not connected`,
      `rfc2217://127.0.0.1:${base + 2}  /dev/ttyACM0 (Espressif USB-JTAG-Serial 303a:1001)  ready`,
      `rfc2217://127.0.0.1:${base + 3}  /dev/ttyUSB2 (CP210x 10c4:ea60, serial A-9)  ready`,
    ]);
    // Nothing changes: nothing more is printed.
    printed = serve.stdout().length;
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(serve.stdout().slice(printed)).toBe("");
  });

  it("--json: one JSON object per line, the mapping first", async () => {
    const base = await freePortRange(2);
    const serve = serveWith(["--listen", `127.0.0.1:${base}`, "--json"], () => BOARDS.slice(0, 1));
    await serve.waitFor(/"event":"mapping"/);
    const [line] = serve.stdout().trim().split("\n");
    expect(JSON.parse(line!)).toEqual({
      event: "mapping",
      boards: [
        {
          tcpPort: base,
          url: `rfc2217://127.0.0.1:${base}`,
          board: "/dev/ttyUSB0 (CP210x 10c4:ea60, serial Z-9)",
          key: "serial:z-9",
          state: "ready",
          client: null,
          error: null,
        },
      ],
    });
    // Human text stays off stdout.
    await serve.waitFor(/"event":"mapping"/);
    expect(serve.stderr()).toContain("press Ctrl-C to stop");
    // A client is an event line of its own.
    const info = await runCli(["info", "-p", `rfc2217://127.0.0.1:${base}`, "--connect-attempts", "1"], { env: {} });
    expect(info.code, info.stderr).toBe(0);
    const events = serve.stdout().trim().split("\n").map((l) => JSON.parse(l) as { event: string; tcpPort?: number; remote?: string });
    expect(events.map((e) => e.event)).toEqual(["mapping", "connected", "local-reset", "disconnected"]);
    expect(events[1]).toMatchObject({ tcpPort: base, remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });

  it("boards named with -p hold PORT, PORT+1, … in command-line order, plugged in or not", async () => {
    const base = await freePortRange(3);
    const serve = serveWith(["--listen", `127.0.0.1:${base}`, "-p", "serial:Q-1", "-p", "/dev/ttyUSB1", "-p", "sim:esp32c3"], () => BOARDS);
    await serve.waitFor(/press Ctrl-C to stop/);
    expect(lastMapping(serve.stdout())).toEqual([
      `rfc2217://127.0.0.1:${base}  serial:Q-1  not connected`,
      `rfc2217://127.0.0.1:${base + 1}  /dev/ttyUSB1 (CP210x 10c4:ea60, serial A-10)  ready`,
      `rfc2217://127.0.0.1:${base + 2}  sim:esp32c3  ready`,
    ]);
  });

  it.each([
    [["--listen", "127.0.0.1:0", "-p", "mac:24:0a:c4:00:00:01"], /^error\[USAGE\]: espsync serve cannot pick a board by MAC/],
    [["--listen", "127.0.0.1:0", "-p", "rfc2217://elsewhere:4000"], /^error\[USAGE\]: espsync serve serves boards attached to this machine, not rfc2217:\/\/elsewhere:4000/],
    [["-p", "sim:esp32"], /^error\[USAGE\]: espsync serve needs --listen HOST:PORT/],
    [["--listen", "somewhere"], /^error\[USAGE\]: listen address "somewhere" is not HOST:PORT/],
    [["--listen", "127.0.0.1:0", "-p", "sim:esp99"], /^error\[CHIP_UNKNOWN\]: .*esp99/],
  ])("refuses %j before listening", async (args, message) => {
    const started = Date.now();
    const result = await runCli(["serve", ...args], { listSerialPorts: async () => [] });
    expect(Date.now() - started).toBeLessThan(5_000); // it stopped by itself
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toMatch(message);
    expect(result.stderr).toMatch(/\nhint: /);
  });

  it("stops with PORT_BUSY when its TCP port is taken (another serve is running)", async () => {
    const base = await freePortRange(1);
    const running = serveWith(["--listen", `127.0.0.1:${base}`, "-p", "sim:esp32"], () => []);
    await running.waitFor(/press Ctrl-C to stop/);
    const second = await runCli(["serve", "--listen", `127.0.0.1:${base}`, "-p", "sim:esp32"], { listSerialPorts: async () => [] });
    expect(second.code).toBe(3);
    expect(second.stderr.split("\n")[0]).toBe(`error[PORT_BUSY]: espsync serve: 127.0.0.1:${base} is already in use`);
  });
});
