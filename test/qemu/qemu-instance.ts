/**
 * One QEMU-emulated chip for a test file, through the shared rig scripts (`start-qemu.sh`,
 * `qemu-monitor.sh`): its own free TCP port, its own 4 MiB flash file and its own RUN_DIR (monitor
 * socket, pid file, log) in a fresh temporary directory, so instances started in parallel by
 * different test files never share anything.
 *
 * Reading the end state: QEMU's SPI flash model writes every programmed page and erased sector
 * back to the flash file through its block layer as it happens (checked on this rig: a 4 KiB write
 * was in the file the moment espsync exited, QEMU still running). The tests rely on that and read
 * the file after the next `system_reset`, by which time the session's writes have long completed.
 * The file is written before QEMU starts to seed it; QEMU reads it in at start-up, and only then
 * (checked on this rig: bytes written into the file while QEMU ran were not seen by an espsync read,
 * not even after `system_reset`), so new contents need a restart (`restart`).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./free-port.js";
import { QEMU_DIR, type QemuChip } from "./qemu-env.js";
import { BANNER_END, listenToUart } from "./rom-banner.js";

/** The size QEMU's flash model requires of the file (the emulated part is 4 MiB). */
export const FLASH_BYTES = 0x400000;

const START_TIMEOUT_MS = 40_000; // the script itself gives up after 30 s

/**
 * Extra QEMU arguments per chip (start-qemu.sh's QEMU_EXTRA). The ESP32 runs with instruction
 * counting: without it, QEMU's clock follows the host's, and on a busy host (two QEMUs, the rest of
 * the test suite and espsync on two cores) the emulated ROM received corrupted long frames — the
 * stub upload's 6 KiB MEM_DATA answered "checksum error" in 13 of 24 sessions measured here (the
 * same with and without the counting proxy, so not the proxy), against 0 of 24 with
 * `-icount shift=auto`. On silicon the CPU always keeps pace with its UART; with icount the emulated
 * one does too. The ESP32-C3 already gets `-icount 3` from the script.
 */
const QEMU_EXTRA: Record<QemuChip, string> = { esp32: "-icount shift=auto", esp32c3: "" };
const MONITOR_TIMEOUT_MS = 10_000;
/** The ESP32 ROM under instruction counting took up to ~3 s to print its banner on a busy host. */
const BANNER_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/** A running emulated chip. */
export interface QemuInstance {
  readonly chip: QemuChip;
  /** QEMU's UART0 TCP port on 127.0.0.1. */
  readonly port: number;
  /** The running QEMU's PID (a new one after {@link QemuInstance.restart}). */
  readonly pid: number;
  /** The raw flash image QEMU uses. */
  readonly flashFile: string;
  /**
   * `system_reset` through the QEMU monitor: back to the ROM loader at 115200, flash kept. Resolves
   * once the ROM has printed its download-mode banner (see rom-banner.ts).
   */
  reset(): Promise<void>;
  /** The whole flash as QEMU's file holds it now. */
  readFlash(): Buffer;
  /**
   * Stops QEMU, puts `flash` (the whole flash, {@link FLASH_BYTES}) into the flash file and boots
   * QEMU again on the same port with the same eFuse file, so the chip keeps its MAC (the digest
   * cache is keyed by it) and a proxy in front of the port keeps working. Call `reset()` after it
   * before talking to the ROM: the banner printed at boot went to nobody.
   */
  restart(flash: Uint8Array): Promise<void>;
  /** Kills QEMU, waits until it is gone, removes the temporary directory. */
  stop(): Promise<void>;
}

/** Options for {@link startQemu}. */
export interface StartOptions {
  /** Writes the initial flash contents (given erased, 0xFF) before QEMU starts. */
  readonly seed?: (flash: Buffer) => void;
}

const running = new Set<number>();
// Last resort if a worker exits without running afterAll: never leave an emulator behind.
process.once("exit", () => {
  for (const pid of running) killQuietly(pid, "SIGKILL");
});

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Whether `pid` still runs (a zombie waiting for its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

function script(name: string, args: readonly string[], env: Readonly<Record<string, string>>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path.join(QEMU_DIR, name), args, { env: { ...process.env, ...env }, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${name} ${args.join(" ")}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Boots `chip` in download mode on a free port; up to three ports are tried if one is taken. */
export async function startQemu(chip: QemuChip, options: StartOptions = {}): Promise<QemuInstance> {
  const dir = mkdtempSync(path.join(tmpdir(), `espsync-qemu-${chip}-`));
  const runDir = path.join(dir, "run");
  const flashFile = path.join(dir, "flash.bin");
  const flash = Buffer.alloc(FLASH_BYTES, 0xff);
  options.seed?.(flash);
  writeFileSync(flashFile, flash);

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      const pid = await launch(chip, port, flashFile, runDir);
      return instance(chip, port, pid, flashFile, dir, runDir);
    } catch (e) {
      lastError = e;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

/** Runs start-qemu.sh; returns QEMU's PID. A start that failed leaves no QEMU behind. */
async function launch(chip: QemuChip, port: number, flashFile: string, runDir: string): Promise<number> {
  try {
    const pid = Number((await script("start-qemu.sh", [chip, String(port), flashFile], { RUN_DIR: runDir, QEMU_EXTRA: QEMU_EXTRA[chip] }, START_TIMEOUT_MS)).trim().split("\n").pop());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`start-qemu.sh printed no PID for port ${port}`);
    running.add(pid);
    return pid;
  } catch (e) {
    await killFromPidFile(runDir, chip, port); // a start that timed out may have left QEMU running
    throw e;
  }
}

/** SIGTERM, then SIGKILL if QEMU does not go; resolves once it is gone. */
async function terminate(pid: number): Promise<void> {
  killQuietly(pid, "SIGTERM");
  if (!(await waitGone(pid, STOP_TIMEOUT_MS))) {
    killQuietly(pid, "SIGKILL");
    if (!(await waitGone(pid, STOP_TIMEOUT_MS))) throw new Error(`QEMU PID ${pid} survived SIGKILL`);
  }
  running.delete(pid);
}

async function killFromPidFile(runDir: string, chip: QemuChip, port: number): Promise<void> {
  const pidFile = path.join(runDir, `${chip}-${port}.pid`);
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  killQuietly(pid, "SIGKILL");
  await waitGone(pid, STOP_TIMEOUT_MS);
}

function instance(chip: QemuChip, port: number, firstPid: number, flashFile: string, dir: string, runDir: string): QemuInstance {
  let pid = firstPid;
  return {
    chip,
    port,
    get pid() {
      return pid;
    },
    flashFile,
    async reset() {
      // Twice at most: a previous client QEMU has not let go of yet keeps ours waiting, and the
      // banner is then printed to nobody.
      for (let attempt = 1; ; attempt++) {
        const uart = await listenToUart(port);
        try {
          await script("qemu-monitor.sh", [chip, String(port), "system_reset"], { RUN_DIR: runDir }, MONITOR_TIMEOUT_MS);
          if (await uart.saw(BANNER_END[chip], BANNER_TIMEOUT_MS)) return;
        } finally {
          uart.close();
        }
        if (attempt === 2) throw new Error(`${chip} on port ${port}: no ROM banner within ${BANNER_TIMEOUT_MS} ms of system_reset, twice`);
      }
    },
    readFlash: () => readFileSync(flashFile),
    async restart(flash) {
      if (flash.length !== FLASH_BYTES) throw new Error(`restart: the flash must be ${FLASH_BYTES} bytes, got ${flash.length}`);
      await terminate(pid);
      writeFileSync(flashFile, flash);
      // The port was QEMU's own a moment ago; another process taking it in between is unlikely but
      // possible, and the instance cannot move (a proxy may point at it): a few tries, then fail.
      for (let attempt = 1; ; attempt++) {
        try {
          pid = await launch(chip, port, flashFile, runDir);
          return;
        } catch (e) {
          if (attempt === 3) throw e;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    },
    async stop() {
      await terminate(pid);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
