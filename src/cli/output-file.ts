/**
 * Writing a file the user named (`read`'s FILE, `-o/--output`): the directory must exist and the
 * path must not be a directory, checked before any work so a long job never fails at its last step.
 * The file appears whole or not at all: it is written beside its place under a temporary name and
 * renamed, so a quit (a second Ctrl-C) or a full disk never leaves a truncated file under the name.
 */
import { rmSync } from "node:fs";
import { rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { EspsyncError } from "../errors.js";

/** Throws `FILE_UNWRITABLE` when `target` cannot be created: no such directory, or it is a directory. */
export async function requireWritableFile(target: string, shown: string): Promise<void> {
  const dir = path.dirname(target);
  const st = await stat(dir).catch(() => undefined);
  if (st?.isDirectory() !== true) {
    throw new EspsyncError("FILE_UNWRITABLE", `cannot write ${shown}: the directory ${dir} does not exist`, { hint: "Create the directory first, or choose another path" });
  }
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory() === true) {
    throw new EspsyncError("FILE_UNWRITABLE", `cannot write ${shown}: it is a directory`, { hint: "Name a file, e.g. flash.bin" });
  }
}

/**
 * Writes `data` to `target` whole (`shown` is the path as the user wrote it); throws `FILE_UNWRITABLE`.
 * A device or pipe (`/dev/null`, `/dev/stdout`) is written to as it is: renaming a file over it
 * would replace the device.
 */
export async function writeOutputFile(target: string, shown: string, data: Uint8Array | string): Promise<void> {
  await requireWritableFile(target, shown);
  const existing = await stat(target).catch(() => undefined);
  try {
    if (existing !== undefined && !existing.isFile()) await writeFile(target, data);
    else await writeWhole(target, data);
  } catch (cause) {
    throw new EspsyncError("FILE_UNWRITABLE", `cannot write ${shown}: ${(cause as Error).message}`, { hint: "Choose a path in a directory you can write to", cause });
  }
}

/** Writes beside `target` under a temporary name, then renames it into place. */
async function writeWhole(target: string, data: Uint8Array | string): Promise<void> {
  // Same directory, so the rename is atomic; the process id keeps two runs apart.
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.part`);
  // A quit exits the process at once: the temporary file goes with it.
  const removeOnExit = (): void => rmSync(temporary, { force: true });
  process.once("exit", removeOnExit);
  try {
    await writeFile(temporary, data);
    await rename(temporary, target);
  } catch (cause) {
    await rm(temporary, { force: true });
    throw cause;
  } finally {
    process.off("exit", removeOnExit);
  }
}
