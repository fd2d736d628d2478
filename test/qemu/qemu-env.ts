/**
 * Where the shared QEMU rig and the real firmware live, and whether this machine can use them.
 * Both sit beside the repository in `../shared` (never copied into it); without them, or when the
 * QEMU binaries or the tools the rig scripts need do not run here, the QEMU suite is skipped and
 * the reason is put in the skipped test's name.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// test/qemu, or dist/test/qemu once compiled for the QEMU benchmark (npm run bench:qemu).
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, path.basename(path.resolve(HERE, "../..")) === "dist" ? "../../.." : "../..");

/** Espressif's QEMU with the chips' real mask ROMs, and its start / monitor scripts. */
export const QEMU_DIR = path.resolve(REPO_ROOT, "../shared/qemu");
/** Real firmware built and published by others. */
export const FIRMWARE_DIR = path.resolve(REPO_ROOT, "../shared/firmware");
/** The espsync binary the suite runs (the test command builds dist/ first). */
export const BIN = path.join(REPO_ROOT, "dist/src/bin.js");

/** The QEMU chips the rig boots. */
export type QemuChip = "esp32" | "esp32c3";

const QEMU_BINARY: Record<QemuChip, string> = { esp32: "qemu-system-xtensa", esp32c3: "qemu-system-riscv32" };

/** Exits 0 within a few seconds (false when missing, failing, or hanging). */
function runs(command: string, args: readonly string[]): boolean {
  const r = spawnSync(command, args, { stdio: "ignore", timeout: 10_000 });
  return r.error === undefined && r.status === 0;
}

/**
 * Why the QEMU tests for `chip` cannot run here, or `undefined` when they can. Checked once per
 * test file at import time: the answer decides between `describe` and `describe.skip`.
 */
export function qemuUnavailable(chip: QemuChip): string | undefined {
  if (!existsSync(QEMU_DIR)) return "../shared/qemu beside the repository is not present";
  if (!existsSync(FIRMWARE_DIR)) return "../shared/firmware beside the repository is not present";
  if (!existsSync(BIN)) return "dist/src/bin.js is not built (npm run build)";
  // `--version` fails when a runtime library is missing (ldd would show "not found").
  if (!runs(path.join(QEMU_DIR, "bin", QEMU_BINARY[chip]), ["--version"])) return `${QEMU_BINARY[chip]} does not run here (missing runtime libraries? see ../shared/qemu/README.md)`;
  if (!runs("socat", ["-V"])) return "socat (needed by qemu-monitor.sh) is not installed";
  if (!runs("python3", ["-c", "pass"])) return "python3 (needed by start-qemu.sh) is not installed";
  return undefined;
}
