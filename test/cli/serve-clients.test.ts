/**
 * One client per board: while espsync flashes a virtual ESP32 behind `espsync serve`, a second
 * espsync is refused within a second with PORT_BUSY naming the client that holds the board, a plain
 * TCP client (telnet, pyserial) reads the same refusal as one line of text, and the first client
 * finishes its flash undisturbed.
 */
import { connect } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";
import { startServe } from "./serve-rig.js";
import { cliEnv, errorLines, recordPorts, tempDir, writeBuild } from "./sim-rig.js";
import { waitFor } from "./wire-tap.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Everything a plain TCP client receives until the server closes the connection (or 2 s pass). */
function readUntilClosed(port: number): Promise<{ text: string; elapsedMs: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open: ${JSON.stringify(text)}`));
    }, 2_000);
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, elapsedMs: Date.now() - started });
    });
    socket.on("error", () => undefined);
  });
}

describe("espsync serve: two clients on one board", () => {
  it("refuses the second in well under a second, naming the holder, and the first keeps working", async () => {
    const dir = tempDir("espsync-serve-");
    const file = path.join(dir, "flash.bin");
    // Each data block acknowledged after 300 ms, so the first flash is still running when the others knock.
    const url = `sim:esp32?flash=4MB&seed=41&delay=300&file=${file}`;
    const build = writeBuild(dir, { chipId: 0, bootloaderOffset: 0x1000, project: "first-come", appBytes: 120_000 });
    const ports = recordPorts();
    const serve = startServe(["--listen", "127.0.0.1:0", "-p", url], { openPort: ports.openPort });
    cleanups.push(() => serve.stop());
    const tcpPort = Number((await serve.waitFor(/rfc2217:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const client = `rfc2217://127.0.0.1:${tcpPort}`;
    const env = cliEnv(dir);

    const first = runCli(["flash", "-p", client, ...build.pairs, "--after", "no-reset"], { env });
    const holder = (await serve.waitFor(/: (127\.0\.0\.1:\d+) connected/))[1] ?? "";
    const chip = ports.chips[0]!;
    // Well into the first session: its first data block has reached the chip, two more are to come.
    await waitFor(() => (chip.flash.counters.commands.FLASH_DEFL_DATA ?? 0) + (chip.flash.counters.commands.FLASH_DATA ?? 0) >= 1, "the first data block");

    const t0 = Date.now();
    const second = await runCli(["info", "-p", client], { env });
    const secondMs = Date.now() - t0;
    expect(second.code).toBe(3);
    const { first: line, hint } = errorLines(second.stderr);
    expect(line).toMatch(new RegExp(`^error\\[PORT_BUSY\\]: rfc2217://127\\.0\\.0\\.1:${tcpPort}: sim:esp32\\?.* is in use by ${holder.replace(/\./g, "\\.")} since \\d\\d:\\d\\d:\\d\\d$`));
    expect(hint).toMatch(/one client at a time/);
    expect(secondMs).toBeLessThan(1_000);

    const raw = await readUntilClosed(tcpPort);
    expect(raw.text).toMatch(new RegExp(`^espsync serve: sim:esp32\\?.* is in use by ${holder.replace(/\./g, "\\.")} since \\d\\d:\\d\\d:\\d\\d\\r\\n$`));
    expect(raw.elapsedMs).toBeLessThan(1_000);
    expect(serve.stdout()).toMatch(/: refused 127\.0\.0\.1:\d+ \(sim:esp32\?.* is in use by 127\.0\.0\.1:\d+ since /);

    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(Buffer.compare(Buffer.from(chip.flash.bytes.subarray(0x10000, 0x10000 + build.bytes.app.length)), Buffer.from(build.bytes.app))).toBe(0);
    // The board is free again: the next client gets it.
    const after = await runCli(["info", "-p", client], { env });
    expect(after.code, after.stderr).toBe(0);
  });
});
