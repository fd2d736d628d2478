/**
 * `espsync sim` through the real binary: it serves the virtual chip over TCP, keeps its flash in a
 * file, and refuses bad input with a clear message and a non-zero exit.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const BIN = new URL("../../dist/src/bin.js", import.meta.url).pathname;
const children: ReturnType<typeof spawn>[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** Starts `espsync sim` and resolves with its TCP port once it prints its address. */
function startSim(args: string[]): Promise<{ port: number; child: ReturnType<typeof spawn> }> {
  const child = spawn(process.execPath, [BIN, "sim", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`espsync sim did not start: ${out}`)), 10_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /serving on socket:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ port: Number(match[1]), child });
      }
    });
    child.on("exit", (code) => reject(new Error(`espsync sim exited with ${code}: ${out}`)));
  });
}

/** SYNC as the hosts send it (PROTOCOL.md §2.1), SLIP-framed; no byte needs escaping. */
const SYNC_FRAME = Buffer.from([0xc0, 0x00, 0x08, 0x24, 0x00, 0, 0, 0, 0, 0x07, 0x07, 0x12, 0x20, ...Array<number>(32).fill(0x55), 0xc0]);
/** The real ROM's reply (PROTOCOL.md §11): value 0x20120707, 4 status bytes. */
const SYNC_REPLY = Buffer.from([0xc0, 0x01, 0x08, 0x04, 0x00, 0x07, 0x07, 0x12, 0x20, 0, 0, 0, 0, 0xc0]);

function exchange(port: number, request: Buffer, expectBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write(request));
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`only ${got.length} of ${expectBytes} bytes arrived`));
    }, 5_000);
    socket.on("data", (chunk) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= expectBytes) {
        clearTimeout(timer);
        socket.destroy();
        resolve(got);
      }
    });
    socket.on("error", reject);
  });
}

describe("espsync sim", () => {
  it("serves a virtual ESP32 in download mode over raw TCP: SYNC gets the ROM's 8 replies", async () => {
    const { port } = await startSim(["--chip", "esp32", "--listen", "127.0.0.1:0"]);
    const reply = await exchange(port, SYNC_FRAME, 8 * SYNC_REPLY.length);
    expect(reply).toEqual(Buffer.concat(Array<Buffer>(8).fill(SYNC_REPLY)));
  });

  it("creates the flash file erased, at the requested size", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "espsync-sim-")), "flash.bin");
    await startSim(["--chip", "esp32c3", "--flash-size", "2MB", "--flash-file", file, "--listen", "127.0.0.1:0"]);
    expect(statSync(file).size).toBe(2 * 1024 * 1024);
    expect(readFileSync(file).every((b) => b === 0xff)).toBe(true);
  });

  it.each([
    [["--chip", "esp99", "--listen", "127.0.0.1:0"], 2, "CHIP_UNKNOWN", /esp99/],
    [["--chip", "esp32", "--flash-size", "3MB", "--listen", "127.0.0.1:0"], 2, "USAGE", /3MB/],
    [["--chip", "esp32", "--flash-file", "/dev/null/flash.bin", "--listen", "127.0.0.1:0"], 2, "FILE_UNWRITABLE", /dev\/null\/flash\.bin/],
    [["--chip", "esp32"], 2, "USAGE", /--listen/],
  ])("refuses %j with exit %i and %s", (args, code, errorCode, names) => {
    const result = spawnSync(process.execPath, [BIN, "sim", ...args], { encoding: "utf8", timeout: 10_000 });
    expect(result.status).toBe(code);
    const [first, second] = result.stderr.trim().split("\n");
    expect(first).toMatch(new RegExp(`^error\\[${errorCode}\\]: `));
    expect(first).toMatch(names);
    expect(second).toMatch(/^hint: \S/);
  });

  it("names an unmodelled chip as typed in a sim: port, never an internal URL, and lists the simulated chips", () => {
    const result = spawnSync(process.execPath, [BIN, "info", "-p", "sim:esp32h4"], { encoding: "utf8", timeout: 10_000 });
    expect(result.status).toBe(2);
    const [first, second] = result.stderr.trim().split("\n").slice(-2);
    expect(first).toBe('error[CHIP_UNKNOWN]: the simulator does not model the chip "esp32h4" in sim:esp32h4');
    expect(second).toBe("hint: Simulated chips: esp32, esp32s2, esp32s3, esp32c3, esp32c6, esp32h2, esp32c2, esp32c5, esp32p4, esp32c61.");
  });

  it("--chip takes every chip espsync can flash and nothing else", () => {
    const result = spawnSync(process.execPath, [BIN, "sim", "--chip", "esp32h4", "--listen", "127.0.0.1:0"], { encoding: "utf8", timeout: 10_000 });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      "error[CHIP_UNKNOWN]: unknown chip 'esp32h4'",
      "hint: Use auto or one of esp32, esp32s2, esp32s3, esp32c2, esp32c3, esp32c6, esp32h2, esp32c5, esp32p4, esp32c61",
    ]);
  });

  it("serves every chip espsync can flash: --chip esp32p4 answers as an ESP32-P4 over raw TCP", async () => {
    const { port } = await startSim(["--chip", "esp32p4", "--listen", "127.0.0.1:0"]);
    const info = spawnSync(process.execPath, [BIN, "info", "--json", "-p", `socket://127.0.0.1:${port}`, "--before", "no-reset", "--after", "no-reset"], { encoding: "utf8", timeout: 20_000 });
    expect(info.status, info.stderr).toBe(0);
    const chip = (JSON.parse(info.stdout) as { boards: { chip: { chip: string; description: string } }[] }).boards[0]?.chip;
    expect(chip).toMatchObject({ chip: "esp32p4", description: "ESP32-P4 (revision v1.0)" });
  });

  it("--help lists the simulator's own options and --chip, none of the connection options it ignores", () => {
    const help = spawnSync(process.execPath, [BIN, "sim", "--help"], { encoding: "utf8", timeout: 10_000 }).stdout;
    for (const used of ["--listen", "--rfc2217", "--pty", "--flash-size", "--flash-file", "--mac", "--seed", "--boot", "--sdm", "--flash-encryption", "--usb", "--timing", "--delay", "--chip"]) {
      expect(help).toContain(used);
    }
    for (const unused of ["--port", "--baud", "--before", "--after", "--reset-sequence", "--connect-attempts", "--stub", "--json", "--trace"]) {
      expect(help).not.toContain(unused);
    }
    expect(help).toMatch(/--chip +Simulated chip: esp32, esp32s2, esp32s3, esp32c3, esp32c6, esp32h2, esp32c2, esp32c5,\s+esp32p4, esp32c61 /);
  });

  it.each([
    [["--sdm"], { secureDownloadMode: true, flashEncryption: false }],
    [["--flash-encryption"], { secureDownloadMode: false, flashEncryption: true }],
  ])("%j: a client sees the chip's security state over the served port", async (flags, expected) => {
    const { port } = await startSim(["--chip", "esp32c3", ...flags, "--listen", "127.0.0.1:0"]);
    const info = spawnSync(process.execPath, [BIN, "info", "--json", "-p", `socket://127.0.0.1:${port}`, "--before", "no-reset", "--after", "no-reset"], { encoding: "utf8", timeout: 20_000 });
    expect(info.status, info.stderr).toBe(0);
    const chip = (JSON.parse(info.stdout) as { boards: { chip: { security: Record<string, unknown> } }[] }).boards[0]?.chip;
    expect(chip?.security).toMatchObject(expected);
  });

  it("refuses a TCP port that is already in use with exit 3 and PORT_BUSY", async () => {
    const { port } = await startSim(["--chip", "esp32", "--listen", "127.0.0.1:0"]);
    const result = spawnSync(process.execPath, [BIN, "sim", "--chip", "esp32", "--listen", `127.0.0.1:${port}`], { encoding: "utf8", timeout: 10_000 });
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^error\\[PORT_BUSY\\]: .*127\\.0\\.0\\.1:${port}`));
  });
});
