/**
 * The bad-input corpus: inputs and situations espsync must refuse before anything is erased or
 * written. Each case runs the real CLI in process and asserts the exit code, exactly one
 * `error[CODE]: message` line and a hint — and, through the virtual chip's counters, that no erase
 * and no write reached the flash (for inputs refused before connecting, that no port was opened).
 */
import { chmodSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCorpusWorkspace } from "./corpus-files.js";
import { runEspsync, type CliRun } from "./cli-rig.js";
import { hasSocat, openPtyPair } from "../adapters/serial/pty-pair.js";
import { startPeer, type Peer, type PeerKind } from "./peers.js";
import { flashChangingCommands } from "./sim-rig.js";

const SIM = "sim:esp32c3?seed=3";
const DEMO = ["--flasher-args", "build/flasher_args.json"];
const IS_ROOT = process.getuid?.() === 0;
/** Mode 0200 sysctl: reading it fails with EACCES even for root. */
const WRITE_ONLY_FOR_ROOT = "/proc/sys/vm/drop_caches";
/** Mode 0444 sysctl: opening it read-write fails with EACCES even for root. */
const READ_ONLY_FOR_ROOT = "/proc/sys/kernel/version";
let dir = "";
/** name → exit code and error code, printed as the corpus table after the run. */
const seen: [string, number, string][] = [];

beforeAll(() => {
  dir = makeCorpusWorkspace();
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  const rows = seen.map(([name, exit, code]) => `| ${name} | ${exit} | ${code} |`);
  console.log(["", "Bad-input corpus", "", "| case | exit | code |", "|---|---|---|", ...rows, ""].join("\n"));
});

/** One corpus case: the argv (port appended when `port` is set), and what must come out. */
interface Case {
  readonly name: string;
  readonly argv: readonly string[];
  readonly port?: string;
  readonly exit: number;
  readonly code: string;
  readonly message: RegExp;
}

const CASES: readonly Case[] = [
  { name: "missing file", argv: ["flash", "0x10000", "nope.bin"], port: SIM, exit: 2, code: "FILE_NOT_FOUND", message: /nope\.bin/ },
  { name: "empty file", argv: ["flash", "0x10000", "empty.bin"], port: SIM, exit: 2, code: "FILE_EMPTY", message: /empty\.bin/ },
  { name: "directory instead of a file", argv: ["flash", "0x10000", "a-directory.bin"], port: SIM, exit: 2, code: "FILE_UNREADABLE", message: /a-directory\.bin/ },
  { name: "address that is not a number", argv: ["flash", "0x1z000", "app.bin"], port: SIM, exit: 2, code: "ADDRESS_INVALID", message: /"0x1z000" .* is not a number$/ },
  { name: "address past 32 bits", argv: ["flash", "0x100000000", "app.bin"], port: SIM, exit: 2, code: "ADDRESS_INVALID", message: /"0x100000000" .* is too large/ },
  { name: "unaligned address", argv: ["flash", "0x10001", "app.bin"], port: SIM, exit: 2, code: "ADDRESS_UNALIGNED", message: /0x00010001/ },
  { name: "address beyond the flash", argv: ["flash", "0x3f0000", "app.bin"], port: SIM, exit: 2, code: "LAYOUT_OUT_OF_RANGE", message: /0x003f0000/ },
  { name: "address beyond 16 MiB", argv: ["flash", "0x2000000", "app.bin"], port: SIM, exit: 2, code: "LAYOUT_OUT_OF_RANGE", message: /0x02000000/ },
  { name: "overlapping files", argv: ["flash", "0x10000", "app.bin", "0x20000", "app.bin"], port: SIM, exit: 2, code: "LAYOUT_OVERLAP", message: /0x00020000/ },
  { name: "odd number of pair values", argv: ["flash", "0x10000", "app.bin", "0x20000"], port: SIM, exit: 2, code: "USAGE", message: /pairs/ },
  { name: "truncated image", argv: ["flash", "0x10000", "truncated.bin"], port: SIM, exit: 2, code: "IMAGE_INVALID", message: /truncated\.bin/ },
  { name: "bad magic byte", argv: ["flash", "0x10000", "bad-magic.bin"], port: SIM, exit: 2, code: "IMAGE_INVALID", message: /bad-magic\.bin/ },
  { name: "bad checksum", argv: ["flash", "0x10000", "bad-checksum.bin"], port: SIM, exit: 2, code: "IMAGE_INVALID", message: /checksum/i },
  { name: "bad SHA-256", argv: ["flash", "0x10000", "bad-sha.bin"], port: SIM, exit: 2, code: "IMAGE_INVALID", message: /SHA-256/i },
  { name: "impossible segment count", argv: ["flash", "0x10000", "bad-segments.bin"], port: SIM, exit: 2, code: "IMAGE_INVALID", message: /segment/i },
  { name: "image for another chip", argv: ["flash", "0x10000", "other-chip.bin"], port: SIM, exit: 5, code: "CHIP_MISMATCH", message: /esp32s3|ESP32-S3/i },
  { name: "image needing a newer chip revision", argv: ["flash", "0x10000", "newer-rev.bin"], port: SIM, exit: 5, code: "CHIP_REVISION_TOO_OLD", message: /revision/ },
  { name: "app larger than its partition", argv: ["flash", "0x8000", "small-parts.bin", "0x10000", "app.bin"], port: SIM, exit: 2, code: "PARTITION_TOO_SMALL", message: /factory|0x00010000/ },
  { name: "malformed partition table", argv: ["flash", "0x8000", "bad-parts.bin"], port: SIM, exit: 2, code: "PARTITION_TABLE_INVALID", message: /MD5|md5/ },
  { name: "not a partition table at 0x8000", argv: ["flash", "0x8000", "noise.bin"], port: SIM, exit: 2, code: "PARTITION_TABLE_INVALID", message: /noise\.bin at 0x00008000 is not a partition table/ },
  { name: "flasher_args.json that is not JSON", argv: ["flash", "--flasher-args", "bad-json/flasher_args.json"], port: SIM, exit: 2, code: "FLASHER_ARGS_INVALID", message: /flasher_args\.json/ },
  { name: "flasher_args.json naming a missing file", argv: ["flash", "--flasher-args", "missing-file/flasher_args.json"], port: SIM, exit: 2, code: "FLASHER_ARGS_INVALID", message: /not-built\.bin.*no such file/ },
  { name: "flasher_args.json path escaping the build directory", argv: ["flash", "--build", "escaping"], port: SIM, exit: 2, code: "FLASHER_ARGS_INVALID", message: /\.\.\/app\.bin/ },
  { name: "build directory without flasher_args.json", argv: ["flash", "--build", "empty-build"], port: SIM, exit: 2, code: "BUILD_DIR_INVALID", message: /empty-build/ },
  { name: "unknown chip name", argv: ["flash", ...DEMO, "--chip", "esp99"], port: SIM, exit: 2, code: "CHIP_UNKNOWN", message: /esp99/ },
  { name: "chip other than the one connected", argv: ["flash", ...DEMO, "--chip", "esp32s3"], port: SIM, exit: 5, code: "CHIP_MISMATCH", message: /esp32s3/ },
  { name: "unsupported baud rate", argv: ["flash", ...DEMO, "--baud", "12345"], port: SIM, exit: 2, code: "BAUD_INVALID", message: /--baud "12345" is not a supported baud rate/ },
  { name: "baud rate that is not a number", argv: ["flash", ...DEMO, "--baud", "abc"], port: SIM, exit: 2, code: "BAUD_INVALID", message: /--baud "abc" is not a baud rate/ },
  { name: "bad reset sequence", argv: ["flash", ...DEMO, "--reset-sequence", "D0|X1|W100"], port: SIM, exit: 2, code: "RESET_SEQUENCE_INVALID", message: /X1/ },
  { name: "unknown port form", argv: ["flash", ...DEMO], port: "ttyUSB0", exit: 2, code: "USAGE", message: /ttyUSB0/ },
  { name: "serial port that does not exist", argv: ["flash", ...DEMO], port: "/dev/ttyESPSYNC-none", exit: 3, code: "PORT_NOT_FOUND", message: /\/dev\/ttyESPSYNC-none/ },
  { name: "simulated chip that does not exist", argv: ["flash", ...DEMO], port: "sim:esp99", exit: 2, code: "CHIP_UNKNOWN", message: /esp99/ },
  { name: "chip with flash encryption on", argv: ["flash", ...DEMO], port: "sim:esp32c3?encrypted", exit: 5, code: "FLASH_ENCRYPTED", message: /flash encryption is enabled/ },
  { name: "flash encryption on, --no-delta", argv: ["flash", ...DEMO, "--no-delta"], port: "sim:esp32c3?encrypted", exit: 5, code: "FLASH_ENCRYPTED", message: /flash encryption is enabled/ },
  { name: "chip in Secure Download Mode (delta needs digests)", argv: ["flash", ...DEMO], port: "sim:esp32c3?sdm", exit: 5, code: "SECURE_DOWNLOAD_MODE", message: /Secure Download Mode.*SPI_FLASH_MD5/ },
  { name: "verify on a chip in Secure Download Mode", argv: ["verify", ...DEMO], port: "sim:esp32c3?sdm", exit: 5, code: "SECURE_DOWNLOAD_MODE", message: /cannot verify/ },
  { name: "erase-all on a chip in Secure Download Mode", argv: ["flash", ...DEMO, "--no-delta", "--erase-all"], port: "sim:esp32c3?sdm", exit: 5, code: "SECURE_DOWNLOAD_MODE", message: /erase/ },
];

function argvOf(c: Case): string[] {
  return [...c.argv, ...(c.port !== undefined ? ["--port", c.port] : []), "--connect-attempts", "2"];
}

/** The checks every refusal shares. */
function expectRefused(r: CliRun, c: Pick<Case, "exit" | "code" | "message"> & { name: string }): void {
  const where = r.stderr;
  seen.push([c.name, r.exit, r.errors.map((e) => e.code).join(", ")]);
  expect(r.exit, where).toBe(c.exit);
  expect(r.errors, where).toHaveLength(1);
  expect(r.errors[0]?.code, where).toBe(c.code);
  expect(r.errors[0]?.message, where).toMatch(c.message);
  expect(r.hints, where).toHaveLength(1);
  expect(r.hints[0], where).toMatch(/\w+ \w+/);
  if (r.chip === undefined) return; // refused before any port was opened
  const s = r.chip.stats;
  expect({ erased: s.sectorsErased + s.blocksErased, programmed: s.bytesProgrammed, commands: flashChangingCommands(r.chip) }, where).toEqual({
    erased: 0,
    programmed: 0,
    commands: {},
  });
}

describe("bad input is refused with a specific error, a hint, and no flash touched", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    expectRefused(await runEspsync(argvOf(c), { cwd: dir }), c);
  });

  it("unreadable file", async () => {
    // Root reads any ordinary file, so as root use a procfs file whose mode is write-only even for
    // root (the kernel checks sysctl modes for every user): the OS itself answers EACCES.
    const path = IS_ROOT ? WRITE_ONLY_FOR_ROOT : `${dir}/app.bin`;
    if (!IS_ROOT) chmodSync(path, 0o000);
    try {
      expectRefused(await runEspsync(["flash", "0x10000", path, "--port", SIM], { cwd: dir }), { name: "unreadable file", exit: 2, code: "FILE_UNREADABLE", message: IS_ROOT ? /drop_caches/ : /app\.bin/ });
    } finally {
      if (!IS_ROOT) chmodSync(path, 0o644);
    }
  });

  it.skipIf(!IS_ROOT && !hasSocat)("serial port without permission", async () => {
    // As root, a pty cannot be made unopenable; a procfs file that is read-only for root makes the
    // real serialport binding's read-write open fail with a real EACCES from the OS.
    if (IS_ROOT) {
      expectRefused(await runEspsync(["flash", ...DEMO, "--port", READ_ONLY_FOR_ROOT], { cwd: dir }), { name: "serial port without permission", exit: 3, code: "PORT_PERMISSION", message: /kernel\/version/ });
      return;
    }
    const pair = await openPtyPair();
    try {
      chmodSync(pair.a, 0o000);
      expectRefused(await runEspsync(["flash", ...DEMO, "--port", pair.a], { cwd: dir }), { name: "serial port without permission", exit: 3, code: "PORT_PERMISSION", message: /\/dev\/pts/ });
    } finally {
      await pair.close();
    }
  });

  it.each([
    ["echoes everything", "echo", 3, "NOT_AN_ESP", /not ESP loader replies/],
    ["stays silent", "silent", 3, "SYNC_FAILED", /sent nothing/],
    ["sends garbage", "garbage", 3, "NOT_AN_ESP", /GARBAGE/],
  ] as const)("a TCP peer that %s is refused as not an ESP", async (name, kind: PeerKind, exit, code, message) => {
    const peer: Peer = await startPeer(kind);
    try {
      expectRefused(await runEspsync(["flash", ...DEMO, "--port", peer.url, "--connect-attempts", "1"], { cwd: dir }), { name: `TCP peer that ${name}`, exit, code, message });
    } finally {
      await peer.close();
    }
  }, 20_000);

  it("Secure Download Mode with --no-delta: only the commands that mode allows, and the delta explained as unavailable", async () => {
    const r = await runEspsync(["flash", ...DEMO, "--no-delta", "--port", "sim:esp32c3?sdm", "--after", "no-reset"], { cwd: dir });
    expect(r.exit, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Secure Download Mode: the chip cannot compute digests, so every region is written whole and nothing is verified/);
    const used = Object.keys(r.chip?.flash.counters.commands ?? {}).sort();
    // PROTOCOL.md §2.7: SYNC, SPI_ATTACH, SPI_SET_PARAMS, CHANGE_BAUDRATE, FLASH_BEGIN/DATA/END, GET_SECURITY_INFO.
    const allowed = ["SYNC", "SPI_ATTACH", "SPI_SET_PARAMS", "CHANGE_BAUDRATE", "FLASH_BEGIN", "FLASH_DATA", "FLASH_END", "GET_SECURITY_INFO"];
    expect(used.filter((op) => !allowed.includes(op))).toEqual([]);
    expect(used).toContain("FLASH_DATA");
  });
});
