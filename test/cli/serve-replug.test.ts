/**
 * A board unplugged while `espsync serve` lends it to a client: the client stops with a clear error,
 * the server goes on serving the other board, tells new clients the board is not connected, and
 * serves it again — on the same TCP port, found by its USB serial number under a new device path —
 * once it is back. The boards are virtual ESP32s behind ports that can be unplugged, listed as USB
 * serial ports with serial numbers.
 */
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openPort, type SerialPortListing, type VirtualChip } from "../../adapters/index.js";
import { runCli } from "./helpers.js";
import { fakeListing, freePortRange, startServe, UnpluggablePort } from "./serve-rig.js";
import { cliEnv, errorLines, flashChangingCommands, tempDir, writeBuild } from "./sim-rig.js";
import { waitFor } from "./wire-tap.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A virtual ESP32 (flash in `file`, each data block acknowledged after `delayMs`) behind an unpluggable port. */
function board(file: string, seed: number, delayMs: number): { port: UnpluggablePort; chip: VirtualChip } {
  const sim = openPort(`sim:esp32?flash=4MB&seed=${seed}&file=${file}&delay=${delayMs}`);
  return { port: new UnpluggablePort(sim), chip: (sim as unknown as { chip: VirtualChip }).chip };
}

describe("espsync serve: a board unplugged mid-flash", () => {
  it("closes that client with a clear error, keeps serving the other board, and serves the board again on its old TCP port when it returns", async () => {
    const dir = tempDir("espsync-serve-");
    const build = writeBuild(dir, { chipId: 0, bootloaderOffset: 0x1000, project: "replugged", appBytes: 120_000 });
    const a = board(path.join(dir, "a.bin"), 31, 40);
    const b = board(path.join(dir, "b.bin"), 32, 0);
    // /dev/ttyUSB93 is where board A comes back (a new device name, the same USB serial number).
    const byPath: Record<string, UnpluggablePort> = { "/dev/ttyUSB90": a.port, "/dev/ttyUSB91": b.port, "/dev/ttyUSB93": a.port };
    let listing: SerialPortListing[] = [fakeListing("/dev/ttyUSB90", "A-0001"), fakeListing("/dev/ttyUSB91", "B-0002")];
    const base = await freePortRange(2);
    const serve = startServe(["--listen", `127.0.0.1:${base}`], {
      listSerialPorts: async () => listing,
      openPort: (url) => {
        const port = byPath[url];
        if (port === undefined) throw new Error(`unexpected port ${url}`);
        return port;
      },
    });
    cleanups.push(() => serve.stop());
    await serve.waitFor(new RegExp(`:${base + 1}  /dev/ttyUSB91 \\(CP210x 10c4:ea60, serial B-0002\\)  ready`));
    expect(serve.stdout()).toContain(`rfc2217://127.0.0.1:${base}  /dev/ttyUSB90 (CP210x 10c4:ea60, serial A-0001)  ready`);
    const env = cliEnv(dir);
    const urlA = `rfc2217://127.0.0.1:${base}`;
    const urlB = `rfc2217://127.0.0.1:${base + 1}`;

    // Unplug A once the flash is writing (each data block takes 40 ms to acknowledge).
    const flashing = runCli(["flash", "-p", urlA, ...build.pairs, "--after", "no-reset"], { env });
    await waitFor(() => (a.chip.flash.counters.commands.FLASH_DEFL_DATA ?? 0) + (a.chip.flash.counters.commands.FLASH_DATA ?? 0) >= 2, "flash data reaching board A", 10_000);
    listing = [fakeListing("/dev/ttyUSB91", "B-0002")];
    await a.port.unplug();
    const stopped = await flashing;
    expect(stopped.code).toBe(3);
    const { first, hint } = errorLines(stopped.stderr);
    expect(first).toMatch(/^error\[PORT_CLOSED\]: the port closed during write of \d+ bytes at 0x000[0-9a-f]{5}/); // names the command and the flash address
    expect(stopped.stderr).toContain(urlA);
    expect(hint).toBeDefined();
    expect(serve.stderr()).toMatch(/went away while 127\.0\.0\.1:\d+ was using it/);

    // The server carries on: B flashes, and A's TCP port says A is not there.
    const onB = await runCli(["flash", "-p", urlB, ...build.pairs, "--after", "no-reset"], { env });
    expect(onB.code, onB.stderr).toBe(0);
    expect(flashChangingCommands(b.chip)).toBeGreaterThan(0);
    await serve.waitFor(/serial A-0001\) {2}not connected/);
    const t0 = Date.now();
    const absent = await runCli(["info", "-p", urlA], { env });
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(absent.code).toBe(3);
    expect(errorLines(absent.stderr).first).toBe(`error[PORT_NOT_FOUND]: ${urlA}: /dev/ttyUSB90 (CP210x 10c4:ea60, serial A-0001) is not connected to the board host`);

    // A returns under another name; it keeps its TCP port, and re-running the flash finishes the job.
    const printed = serve.stdout().length;
    a.port.replug();
    listing = [fakeListing("/dev/ttyUSB91", "B-0002"), fakeListing("/dev/ttyUSB93", "A-0001")];
    await serve.waitFor(new RegExp(`:${base}  /dev/ttyUSB93 \\(CP210x 10c4:ea60, serial A-0001\\)  ready`), 5_000, printed);
    const again = await runCli(["flash", "-p", urlA, ...build.pairs, "--after", "no-reset"], { env });
    expect(again.code, again.stderr).toBe(0);
    const stored = a.chip.flash.bytes;
    expect(Buffer.compare(stored.subarray(0x10000, 0x10000 + build.bytes.app.length), Buffer.from(build.bytes.app))).toBe(0);
  });
});
