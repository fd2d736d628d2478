/**
 * Espressif's QEMU with the real ESP32 / ESP32-C3 mask ROMs, from the shared rig beside the
 * repository (`../shared/qemu`, never copied into it): start on a free port with its own flash
 * file and run directory, `system_reset` through the monitor, stop. The tests skip, saying why,
 * when the rig is missing or its binary cannot run here.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The QEMU machines the rig offers. */
export type QemuChipName = "esp32" | "esp32c3";

/** The shared rig: `<repo>/../shared/qemu`. */
export const QEMU_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../shared/qemu");

const BINARY: Record<QemuChipName, string> = { esp32: "qemu-system-xtensa", esp32c3: "qemu-system-riscv32" };

function commandExists(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Why the QEMU agreement tests cannot run here (rig in `dir`), or undefined when they can. */
export function qemuSkipReason(chip: QemuChipName, dir: string = QEMU_DIR): string | undefined {
  const bin = path.join(dir, "bin", BINARY[chip]);
  if (!existsSync(path.join(dir, "start-qemu.sh")) || !existsSync(bin)) return `no QEMU rig at ${dir}`;
  let ldd: string;
  try {
    ldd = execFileSync("ldd", [bin], { encoding: "utf8" });
  } catch (e) {
    return `ldd ${BINARY[chip]} failed: ${(e as Error).message}`;
  }
  const missing = ldd.split("\n").filter((l) => l.includes("not found"));
  if (missing.length > 0) return `${BINARY[chip]} cannot run: ${missing.map((l) => l.trim()).join(", ")}`;
  for (const tool of ["socat", "python3"]) if (!commandExists(tool)) return `${tool} is missing (the rig's scripts need it)`;
  return undefined;
}

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path.join(QEMU_DIR, script), args, { env, timeout: timeoutMs, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} ${args.join(" ")}: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One running QEMU machine. */
export class QemuMachine {
  private constructor(
    readonly chip: QemuChipName,
    readonly port: number,
    readonly pid: number,
    private readonly runDir: string,
  ) {}

  /** Boots `chip` in download mode on a free port, with a fresh erased 4 MiB flash file. */
  static async start(chip: QemuChipName): Promise<QemuMachine> {
    const runDir = mkdtempSync(path.join(tmpdir(), "espsync-qemu-"));
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      try {
        const out = await run("start-qemu.sh", [chip, String(port), path.join(runDir, `${chip}-flash.bin`)], { ...process.env, RUN_DIR: runDir }, 40_000);
        const pid = Number(out.trim().split("\n").pop());
        if (!Number.isInteger(pid) || pid <= 0) throw new Error(`start-qemu.sh printed no PID: ${out}`);
        return new QemuMachine(chip, port, pid, runDir);
      } catch (e) {
        lastError = e; // most likely the port was taken between probing and binding: try another
      }
    }
    rmSync(runDir, { recursive: true, force: true });
    throw lastError;
  }

  /** `system_reset`: back to the ROM loader in download mode; the flash is kept. */
  async reset(): Promise<void> {
    await run("qemu-monitor.sh", [this.chip, String(this.port), "system_reset"], { ...process.env, RUN_DIR: this.runDir, MONITOR_WAIT: "0.2" }, 10_000);
  }

  /** Kills QEMU (SIGTERM, then SIGKILL after 5 s) and removes its files. */
  async stop(): Promise<void> {
    if (alive(this.pid)) process.kill(this.pid, "SIGTERM");
    const deadline = Date.now() + 5000;
    while (alive(this.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (alive(this.pid)) process.kill(this.pid, "SIGKILL");
    rmSync(this.runDir, { recursive: true, force: true });
  }
}
