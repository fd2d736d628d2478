/**
 * The console as a smoke test against the virtual chip, which boots the flashed app after a reset
 * and prints its project name and version (and any scripted output): a match exits 0, a crash line
 * or a timeout exits 4, Ctrl-C without --expect exits 0.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createVirtualChip, openPort, parseSimUrl } from "../../adapters/index.js";
import { runCli } from "./helpers.js";
import { cliEnv, recordPorts, simUrl, tempDir, writeBuild } from "./sim-rig.js";

async function flashed(project = "smoke-app"): Promise<{ file: string; env: Record<string, string>; pairs: string[] }> {
  const dir = tempDir();
  const build = writeBuild(dir, { project, version: "2.3.4" });
  const file = path.join(dir, "flash.bin");
  const env = cliEnv(dir);
  expect((await runCli(["flash", "-p", simUrl(file), ...build.pairs], { env })).code).toBe(0);
  return { file, env, pairs: build.pairs };
}

describe("espsync monitor", () => {
  it("flash --monitor --expect passes when the booted app prints the expected line", async () => {
    const dir = tempDir();
    const build = writeBuild(dir, { project: "chained-app", version: "9.9.9" });
    const result = await runCli(["flash", "-p", simUrl(path.join(dir, "f.bin")), ...build.pairs, "--monitor", "--expect", "App version: +9\\.9\\.9", "--timeout", "10", "--json"], { env: cliEnv(dir) });
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as { ok: boolean; boards: { result: { ok: boolean }; monitor: { outcome: string; line: string } }[] };
    expect(doc.ok).toBe(true);
    expect(doc.boards[0]!.result.ok).toBe(true);
    expect(doc.boards[0]!.monitor).toMatchObject({ outcome: "matched", line: expect.stringContaining("App version:      9.9.9") });
    expect(result.stderr).toMatch(/Project name: +chained-app/);
  });

  it("flash --monitor with three boards checks each one, prefixes its lines with its port and exits 4 for the one that panics", async () => {
    const dir = tempDir();
    const build = writeBuild(dir, { project: "fleet-app", version: "1.2.3" });
    const urls = [1, 2, 3].map((n) => `sim:esp32c3?flash=4MB&seed=${n}&mac=24:0a:c4:00:00:0${n}`);
    const [good1, bad, good2] = urls as [string, string, string];
    const chips = {
      [good1]: createVirtualChip({ ...parseSimUrl(good1), appOutput: ["Hello world!"] }),
      [bad]: createVirtualChip({ ...parseSimUrl(bad), appOutput: ["Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.", "Hello world!"] }),
      [good2]: createVirtualChip({ ...parseSimUrl(good2), appOutput: ["Hello world!"] }),
    };
    const ports = recordPorts(chips);
    const result = await runCli(["flash", ...urls.flatMap((u) => ["-p", u]), ...build.pairs, "--monitor", "--expect", "Hello world", "--timeout", "10", "--json"], { env: cliEnv(dir), openPort: ports.openPort });
    expect(result.code, result.stderr).toBe(4);

    // Every board was flashed (its own flash holds the app) before its console ran.
    for (const url of urls) expect(Buffer.from(chips[url]!.flash.bytes.subarray(0x10000, 0x10000 + build.bytes.app.length))).toEqual(Buffer.from(build.bytes.app));
    const doc = JSON.parse(result.stdout) as { ok: boolean; boards: { port: string; result: { ok: boolean } | null; monitor: { outcome: string; line: string } | null; error?: { code: string } }[] };
    expect(doc.ok).toBe(false);
    expect(doc.boards.map((b) => b.port)).toEqual(urls);
    expect(doc.boards.map((b) => b.result?.ok)).toEqual([true, true, true]);
    expect(doc.boards.map((b) => b.monitor?.outcome ?? null)).toEqual(["matched", null, "matched"]);
    expect(doc.boards.map((b) => b.error?.code ?? null)).toEqual([null, "MONITOR_PANIC", null]);
    expect(doc.boards[0]!.monitor!.line).toBe("Hello world!");

    // Console lines carry their port: each board's boot log and verdict can be told apart.
    const lines = result.stderr.split("\n");
    for (const url of urls) expect(lines.filter((l) => l.startsWith(`[${url}] `) && /Project name: +fleet-app/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /Project name:/.test(l) && !l.startsWith("[sim:"))).toEqual([]);
    expect(lines).toContain(`[${good1}] --- matched: Hello world!`);
    expect(lines).toContain(`[${good2}] --- matched: Hello world!`);
    expect(lines.some((l) => l.startsWith(`[${bad}] error[MONITOR_PANIC]: the firmware crashed: Guru Meditation Error`))).toBe(true);
    expect(lines).not.toContain(`[${bad}] --- matched: Hello world!`);
    expect(lines.some((l) => l.includes(`2 of 3 boards flashed and checked`) && l.includes(`failed: ${bad} (MONITOR_PANIC)`))).toBe(true);
  });

  it("exits 0 on the expected line, 4 with MONITOR_TIMEOUT when it never comes", async () => {
    const { file, env } = await flashed();
    const ok = await runCli(["monitor", "-p", simUrl(file), "--expect", "Project name: +smoke-app", "--timeout", "10"], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^--- matched: .*Project name: +smoke-app$/m);

    const late = await runCli(["monitor", "-p", simUrl(file), "--expect", "this line never appears", "--timeout", "0.5", "--json"], { env });
    expect(late.code).toBe(4);
    expect(late.stderr).toMatch(/^error\[MONITOR_TIMEOUT\]: no line matched \/this line never appears\/ within 0\.5 s\nhint: /m);
    const doc = JSON.parse(late.stdout) as { ok: boolean; boards: { error: { code: string } }[] };
    expect(doc.ok).toBe(false);
    expect(doc.boards[0]!.error.code).toBe("MONITOR_TIMEOUT");
  });

  it("exits 4 with MONITOR_PANIC when the firmware crashes before the expected line", async () => {
    const { file, env } = await flashed();
    const url = simUrl(file);
    const chip = createVirtualChip({ ...parseSimUrl(url), appOutput: ["Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.", "Hello world!"] });
    const ports = recordPorts({ [url]: chip });
    const result = await runCli(["monitor", "-p", url, "--expect", "Hello world", "--timeout", "10"], { env, openPort: ports.openPort });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error\[MONITOR_PANIC\]: the firmware crashed: Guru Meditation Error/m);
    expect(result.stdout).not.toMatch(/matched/);
  });

  it("stops with exit 0 on Ctrl-C when nothing is expected", async () => {
    const { file, env } = await flashed();
    const controller = new AbortController();
    const interrupting = (url: string) => {
      const port = openPort(url);
      const open = port.open.bind(port);
      port.open = async (baud) => {
        await open(baud);
        port.onData(() => controller.abort());
      };
      return port;
    };
    const result = await runCli(["monitor", "-p", simUrl(file)], { env, openPort: interrupting, signal: controller.signal });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^--- console on .* at 115200 baud; Ctrl-C to stop ---$/m);
  });
});
