/**
 * Writing a file the user named with `-o/--output`: the directory must exist and the path must not
 * be a directory, checked before any work so a long job never fails at its last step.
 */
import { stat, writeFile } from "node:fs/promises";
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

/** Writes `data` to `target` (`shown` is the path as the user wrote it); throws `FILE_UNWRITABLE`. */
export async function writeOutputFile(target: string, shown: string, data: Uint8Array | string): Promise<void> {
  await requireWritableFile(target, shown);
  try {
    await writeFile(target, data);
  } catch (cause) {
    throw new EspsyncError("FILE_UNWRITABLE", `cannot write ${shown}: ${(cause as Error).message}`, { hint: "Choose a path in a directory you can write to", cause });
  }
}
