/**
 * `espsync serve` end to end, across a proxy adding 80 ms each way: espsync's own client flashes a
 * virtual ESP32 behind it with the default reset, a second run writes nothing, `--after hard-reset`
 * brings the application up and the monitor sees it; a pyserial-style client (each line change on
 * its own, waiting for each acknowledgement) lands in download mode, and does not when the same
 * server forwards line changes as they come (`--no-local-reset`, ser2net's way).
 */
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { frame, request } from "../adapters/sim/helpers.js";
import { startLatencyProxy } from "../adapters/rfc2217/latency-proxy.js";
import { PyserialStyleClient } from "../adapters/rfc2217/pyserial-style-client.js";
import { runCli } from "./helpers.js";
import { startServe } from "./serve-rig.js";
import { cliEnv, flashChangingCommands, flashFile, recordPorts, tempDir, writeBuild } from "./sim-rig.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Starts `serve` on one sim: port (ephemeral TCP port) and an 80 ms proxy in front of it. */
async function serveBehindProxy(url: string, extra: string[] = []) {
  const ports = recordPorts();
  const serve = startServe(["--listen", "127.0.0.1:0", "-p", url, ...extra], { openPort: ports.openPort });
  cleanups.push(() => serve.stop());
  const match = await serve.waitFor(/rfc2217:\/\/127\.0\.0\.1:(\d+)/);
  const proxy = await startLatencyProxy({ host: "127.0.0.1", port: Number(match[1]) }, 80);
  cleanups.push(() => proxy.close());
  const chip = ports.chips[0];
  if (chip === undefined) throw new Error("serve opened no virtual chip");
  return { serve, proxy, chip, client: `rfc2217://127.0.0.1:${proxy.port}` };
}

describe("espsync flash through espsync serve and 80 ms each way", () => {
  it("flashes a virtual ESP32 with the default reset, writes nothing the second time, and --after hard-reset boots the app", async () => {
    const dir = tempDir("espsync-serve-");
    const file = path.join(dir, "flash.bin");
    const build = writeBuild(dir, { chipId: 0, bootloaderOffset: 0x1000, project: "served-blink" });
    // The chip starts running an application (a board in use), so only a reset reaches the loader.
    const { chip, client, proxy, serve } = await serveBehindProxy(`sim:esp32?flash=4MB&seed=21&boot=app&file=${file}`, ["--verbose"]);
    const env = cliEnv(dir);

    const first = await runCli(["flash", "-p", client, ...build.pairs, "--after", "no-reset"], { env });
    expect(first.code, first.stderr).toBe(0);
    const written = flashChangingCommands(chip);
    expect(written).toBeGreaterThan(0);
    const stored = flashFile(file);
    expect(Buffer.compare(stored.subarray(0x10000, 0x10000 + build.bytes.app.length), Buffer.from(build.bytes.app))).toBe(0);
    expect(Buffer.compare(stored.subarray(0x1000, 0x1000 + build.bytes.bootloader.length), Buffer.from(build.bytes.bootloader))).toBe(0);

    const second = await runCli(["flash", "-p", client, ...build.pairs, "--after", "hard-reset"], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(flashChangingCommands(chip)).toBe(written); // nothing written
    expect(chip.mode).toBe("app");

    const monitor = await runCli(["monitor", "-p", client, "--expect", "Project name: +served-blink", "--timeout", "5"], { env });
    expect(monitor.code, monitor.stderr).toBe(0);
    expect(proxy.connections).toBe(3); // every session went through the slow link
    expect(serve.stdout()).toContain("ran the reset into download mode locally");
  });
});

/** SYNC (PROTOCOL.md §2.1), SLIP-framed; the ROM answers with frames starting `c0 01 08`. */
const SYNC = frame(request(0x08, [0x07, 0x07, 0x12, 0x20, ...Array<number>(32).fill(0x55)]));

function answersSync(bytes: readonly number[]): boolean {
  for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0xc0 && bytes[i + 1] === 0x01 && bytes[i + 2] === 0x08) return true;
  return false;
}

/** esptool's classic reset then SYNC from a pyserial-style client; what the chip printed and whether it answered. */
async function pyserialResetAndSync(extra: string[]): Promise<{ boot: string; synced: boolean; mode: string }> {
  const dir = tempDir("espsync-serve-");
  const build = writeBuild(dir, { chipId: 0, bootloaderOffset: 0x1000, project: "py-app" });
  const { chip, proxy } = await serveBehindProxy("sim:esp32?flash=4MB&seed=22&boot=app", extra);
  chip.flash.program(0x1000, build.bytes.bootloader);
  chip.flash.program(0x10000, build.bytes.app);
  const client = await PyserialStyleClient.open(proxy.port);
  cleanups.push(() => client.close());
  await client.classicReset();
  await new Promise((resolve) => setTimeout(resolve, 200)); // the boot output crosses the proxy
  const boot = client.text();
  client.received.length = 0;
  client.write(SYNC);
  const deadline = Date.now() + 1_000;
  while (!answersSync(client.received) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return { boot, synced: answersSync(client.received), mode: chip.mode };
}

describe("a pyserial-style client through espsync serve and 80 ms each way", () => {
  it("lands in download mode: the reset runs on the board host", async () => {
    const { boot, synced, mode } = await pyserialResetAndSync([]);
    expect(boot).toContain("waiting for download");
    expect(boot).not.toContain("Project name");
    expect(synced).toBe(true);
    expect(mode).toBe("rom");
  });

  it("boots the application instead when the same server forwards each change (--no-local-reset, as ser2net does)", async () => {
    const { boot, synced, mode } = await pyserialResetAndSync(["--no-local-reset"]);
    expect(boot).toContain("Project name:     py-app");
    expect(boot).not.toContain("waiting for download");
    expect(synced).toBe(false);
    expect(mode).toBe("app");
  });
});
