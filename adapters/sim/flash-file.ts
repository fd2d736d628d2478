/**
 * Persistence of the simulated flash in a plain image file, so a virtual board keeps its contents
 * across processes (e.g. several esptool runs against one simulator server). Writes are coalesced:
 * the file is rewritten at most once per {@link SAVE_DELAY_MS} after changes — a whole write command
 * sequence, not every data block — and at once on `flush()` (the server and the CLI flush on exit).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import { EspsyncError } from "../../src/errors.js";
import type { FlashModel } from "./flash-model.js";

/** How long changes may wait before the file is rewritten (a 16 MiB rewrite per data block would be wasteful). */
export const SAVE_DELAY_MS = 100;

/**
 * Binds a flash model to an image file: loads it (or creates it erased, with any missing parent
 * folders, so `file=sim-flash/board.bin` works on a fresh checkout) and saves on change.
 */
export class FlashFile {
  private dirty = false;
  private scheduled = false;
  /** A new file's folders are made once, by its first write. */
  private makeFolders = false;

  constructor(private readonly flash: FlashModel, readonly path: string) {
    if (existsSync(path)) {
      const data = readOrExplain(path);
      if (data.length !== flash.sizeBytes) {
        throw new EspsyncError("USAGE", `flash file ${path} holds ${data.length} bytes, the simulated flash has ${flash.sizeBytes}`, {
          hint: "Use the flash size the file was created with, or delete the file.",
        });
      }
      flash.bytes.set(data);
    } else {
      this.dirty = true;
      this.makeFolders = true;
      this.flush();
    }
    flash.onChange = () => this.markDirty();
  }

  /** Writes the contents now if they changed (atomically: temp file + rename). */
  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const tmp = `${this.path}.tmp`;
    try {
      if (this.makeFolders) mkdirSync(dirname(this.path), { recursive: true });
      this.makeFolders = false;
      writeFileSync(tmp, this.flash.bytes);
      renameSync(tmp, this.path);
    } catch (cause) {
      throw new EspsyncError("FILE_UNWRITABLE", `cannot write the flash file ${this.path}: ${(cause as Error).message}`, {
        hint: "Choose a path in a directory you can write to, or free some disk space.",
        cause,
      });
    }
  }

  private markDirty(): void {
    this.dirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    // Coalesce a burst of erases/programs (a whole write) into one file rewrite.
    setTimeout(() => {
      this.scheduled = false;
      this.flush();
    }, SAVE_DELAY_MS);
  }
}

function readOrExplain(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new EspsyncError("FILE_UNREADABLE", `cannot read the flash file ${path}: ${(cause as Error).message}`, {
      hint: "Check that it is a readable regular file, or choose another --flash-file.",
      cause,
    });
  }
}
