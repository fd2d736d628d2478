/**
 * Several boards at once, port selection by identity, and the output contract: `--json` prints one
 * document of the documented shape and nothing else on stdout; logs carry no escape codes; a
 * terminal gets a live progress block; NO_COLOR turns colour off.
 */
/* eslint-disable no-control-regex -- these tests look for terminal escape codes on purpose */
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SerialPortListing } from "../../adapters/index.js";
import { runCli } from "./helpers.js";
import { cliEnv, flashFile, recordPorts, simUrl, tempDir, writeBuild } from "./sim-rig.js";

interface BoardsDoc {
  ok: boolean;
  command: string;
  boards: { port: string; chip: { chip: string; mac: string } | null; result: { ok: boolean; regions: { addr: number; outcome: string }[]; totals: { writtenBytes: number } } | null; error?: { code: string; message: string; hint?: string } }[];
}

/** Checks the documented board document shape, key by key. */
function expectBoardsShape(doc: BoardsDoc, command: string, boards: number): void {
  expect(Object.keys(doc).sort()).toEqual(["boards", "command", "ok"]);
  expect(doc.command).toBe(command);
  expect(doc.boards).toHaveLength(boards);
  for (const b of doc.boards) {
    expect(typeof b.port).toBe("string");
    expect(Object.keys(b).filter((k) => !["port", "chip", "result", "error"].includes(k))).toEqual([]);
    if (b.error) expect(Object.keys(b.error).sort()).toEqual(expect.arrayContaining(["code", "message"]));
  }
}

describe("several boards", () => {
  it("flashes three boards in parallel, each with its own result in the JSON document", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const files = [1, 2, 3].map((seed) => path.join(dir, `flash-${seed}.bin`));
    const args = files.flatMap((f, i) => ["--port", simUrl(f, i + 1)]);
    const result = await runCli(["flash", ...args, ...build.pairs, "--json"], { env: cliEnv(dir) });
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as BoardsDoc;
    expectBoardsShape(doc, "flash", 3);
    expect(doc.ok).toBe(true);
    expect(doc.boards.map((b) => b.port)).toEqual(files.map((f, i) => simUrl(f, i + 1)));
    expect(new Set(doc.boards.map((b) => b.chip?.mac)).size).toBe(3);
    for (const b of doc.boards) expect(b.result?.regions.map((r) => r.outcome)).toEqual(["full", "full", "full"]);
    for (const f of files) expect(flashFile(f).subarray(0x10000, 0x10000 + build.bytes.app.length).equals(Buffer.from(build.bytes.app))).toBe(true);
    // Human lines name their board; the summary counts them.
    expect(result.stderr).toContain(`[${simUrl(files[1]!, 2)}] app.bin at 0x00010000: full`);
    expect(result.stderr).toMatch(/^3 of 3 boards flashed$/m);
  });

  it("keeps going when one board fails, names it in the summary and exits non-zero", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const good = [simUrl(path.join(dir, "a.bin"), 1), simUrl(path.join(dir, "c.bin"), 3)];
    const wrongChip = simUrl(path.join(dir, "b.bin"), 2, "esp32s3");
    const ports = recordPorts();
    const result = await runCli(["flash", "-p", good[0]!, "-p", wrongChip, "-p", good[1]!, ...build.pairs, "--json"], { env: cliEnv(dir), openPort: ports.openPort });
    expect(result.code).toBe(5);
    const doc = JSON.parse(result.stdout) as BoardsDoc;
    expectBoardsShape(doc, "flash", 3);
    expect(doc.ok).toBe(false);
    expect(doc.boards.map((b) => b.error?.code ?? "ok")).toEqual(["ok", "CHIP_MISMATCH", "ok"]);
    expect(doc.boards[1]!.result).toBeNull();
    expect(doc.boards[1]!.chip?.chip).toBe("esp32s3");
    expect(result.stderr).toMatch(new RegExp(`^2 of 3 boards flashed; failed: ${wrongChip.replace(/[?.]/g, "\\$&")} \\(CHIP_MISMATCH\\)$`, "m"));
    // The refused board was never written.
    const refused = ports.chips.find((c) => c.options.chip === "esp32s3")!;
    expect(refused.flash.counters.bytesProgrammed + refused.flash.counters.sectorsErased).toBe(0);
  });
});

describe("port selection", () => {
  const listing = (seed: number, serialNumber: string): SerialPortListing => ({ path: `sim:esp32c3?seed=${seed}`, serialNumber, vid: 0x10c4, pid: 0xea60, bridge: "CP210x", likelyEsp: true });

  it("picks a board by USB serial number, by MAC, and the only ESP-looking port for auto", async () => {
    const list = async (): Promise<SerialPortListing[]> => [listing(1, "AAA1"), listing(2, "BBB2"), listing(3, "CCC3")];
    const bySerial = await runCli(["info", "--port", "serial:BBB2", "--json"], { listSerialPorts: list });
    expect(bySerial.code, bySerial.stderr).toBe(0);
    expect((JSON.parse(bySerial.stdout) as BoardsDoc).boards[0]!.port).toBe("sim:esp32c3?seed=2");

    const mac3 = (JSON.parse((await runCli(["info", "--port", "sim:esp32c3?seed=3", "--json"])).stdout) as BoardsDoc).boards[0]!.chip!.mac;
    const byMac = await runCli(["info", "--port", `mac:${mac3.toUpperCase()}`, "--json"], { listSerialPorts: list });
    expect(byMac.code, byMac.stderr).toBe(0);
    expect((JSON.parse(byMac.stdout) as BoardsDoc).boards[0]!.port).toBe("sim:esp32c3?seed=3");

    const auto = await runCli(["info", "--json"], { listSerialPorts: async () => [{ path: "/dev/ttyS0", likelyEsp: false }, listing(4, "DDD4")] });
    expect(auto.code, auto.stderr).toBe(0);
    expect((JSON.parse(auto.stdout) as BoardsDoc).boards[0]!.port).toBe("sim:esp32c3?seed=4");
  });

  it("exits 3 when auto finds no board or several, and when no port has the serial number", async () => {
    const none = await runCli(["info"], { listSerialPorts: async () => [{ path: "/dev/ttyS0", likelyEsp: false }] });
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/^error\[PORT_NOT_FOUND\]: .*\/dev\/ttyS0.*\nhint: /);
    const two = await runCli(["info"], { listSerialPorts: async () => [listing(1, "A"), listing(2, "B")] });
    expect(two.code).toBe(3);
    expect(two.stderr).toMatch(/^error\[PORT_AMBIGUOUS\]: /);
    const missing = await runCli(["info", "-p", "serial:ZZZ"], { listSerialPorts: async () => [listing(1, "A")] });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error\[PORT_NOT_FOUND\]: no serial port has the USB serial number ZZZ/);
  });

  it("lists ports as a table and as JSON", async () => {
    const list = async (): Promise<SerialPortListing[]> => [
      { path: "/dev/ttyUSB0", vid: 0x10c4, pid: 0xea60, serialNumber: "0001", manufacturer: "Silicon Labs", bridge: "CP210x", likelyEsp: true },
      { path: "/dev/ttyS0", likelyEsp: false },
    ];
    const table = await runCli(["ports"], { listSerialPorts: list });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^\/dev\/ttyUSB0 +10c4:ea60 +0001 +Silicon Labs +CP210x +yes$/m);
    expect(table.stdout).toMatch(/^\/dev\/ttyS0 +- +- +- +-$/m);
    const json = JSON.parse((await runCli(["ports", "--json"], { listSerialPorts: list })).stdout) as { ok: boolean; ports: Record<string, unknown>[] };
    expect(json.ok).toBe(true);
    expect(json.ports[0]).toEqual({ path: "/dev/ttyUSB0", usbId: "10c4:ea60", vid: 0x10c4, pid: 0xea60, serialNumber: "0001", manufacturer: "Silicon Labs", product: null, bridge: "CP210x", likelyEsp: true });
  });
});

describe("output", () => {
  it("--json prints exactly one document on stdout; human text goes to stderr", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const result = await runCli(["flash", "-p", simUrl(path.join(dir, "f.bin")), ...build.pairs, "--json"], { env: cliEnv(dir) });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as BoardsDoc;
    expectBoardsShape(doc, "flash", 1);
    expect(result.stdout.trim().startsWith("{")).toBe(true);
    expect(result.stderr).toContain("app.bin at 0x00010000: full");
    // A failure before any board still prints one document.
    const bad = await runCli(["flash", "-p", "sim:esp32c3", "0x10000", path.join(dir, "missing.bin"), "--json"]);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toEqual({ ok: false, error: { code: "FILE_NOT_FOUND", message: expect.stringContaining("missing.bin"), hint: expect.any(String) } });
  });

  it("is free of escape codes when not a terminal, and draws a progress block on one", async () => {
    const dir = tempDir();
    const build = writeBuild(dir, { appBytes: 150_000 });
    const plain = await runCli(["flash", "-p", simUrl(path.join(dir, "a.bin")), ...build.pairs], { env: cliEnv(dir) });
    expect(plain.code).toBe(0);
    expect(plain.stdout + plain.stderr).not.toMatch(/\x1b\[/);
    expect(plain.stderr).toMatch(/^writing app\.bin at 0x00010000: 100% /m);

    const tty = await runCli(["flash", "-p", simUrl(path.join(dir, "b.bin")), ...build.pairs, "--no-cache"], { env: cliEnv(dir), isTTY: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(/\x1b\[\d+A\x1b\[0J/);

    // Colour only without NO_COLOR (the verify summary word is coloured on a terminal).
    await runCli(["flash", "-p", simUrl(path.join(dir, "c.bin")), ...build.pairs], { env: cliEnv(dir) });
    const coloured = await runCli(["verify", "-p", simUrl(path.join(dir, "c.bin")), ...build.pairs], { env: cliEnv(dir), isTTY: true });
    expect(coloured.stdout).toMatch(/\x1b\[32mmatches\x1b\[0m/);
    const noColor = await runCli(["verify", "-p", simUrl(path.join(dir, "c.bin")), ...build.pairs], { env: cliEnv(dir, { NO_COLOR: "1" }), isTTY: true });
    expect(noColor.code).toBe(0);
    expect(noColor.stdout).not.toMatch(/\x1b\[3\dm/);
    expect(noColor.stdout).toContain("matches");
  });

  it("--quiet keeps results and errors but drops progress", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const result = await runCli(["flash", "-p", simUrl(path.join(dir, "q.bin")), ...build.pairs, "--quiet"], { env: cliEnv(dir) });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("");
  });
});
