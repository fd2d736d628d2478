/**
 * Reading a file the user named as an input (image, ELF, partition table, flasher_args.json): one
 * check for every command, so a missing, unreadable, non-regular or empty file is reported the same
 * way everywhere. Only regular files are read: a device such as /dev/zero would never end, and
 * /dev/null is a device, not an empty image.
 */
import { readFile, stat } from "node:fs/promises";
import { EspsyncError } from "../errors.js";

/** What the check asks of `stat` (node's `Stats`; the kind tests are optional for test doubles). */
export interface InputStat {
  isFile(): boolean;
  isDirectory(): boolean;
  isCharacterDevice?(): boolean;
  isBlockDevice?(): boolean;
  isFIFO?(): boolean;
  isSocket?(): boolean;
}

/** The file-system calls the check makes (node:fs/promises by default). */
export interface InputFs {
  readFile(file: string): Promise<Uint8Array>;
  stat(file: string): Promise<InputStat>;
}

/** Node's file system. */
export const nodeInputFs: InputFs = { readFile: (f) => readFile(f), stat: (f) => stat(f) };

/** Hints for the refusals whose remedy depends on what the file is for. */
export interface InputFileHints {
  /** For FILE_NOT_FOUND. */
  readonly missing?: string;
  /** For a directory given instead of a file. */
  readonly directory?: string;
  /** For FILE_EMPTY. */
  readonly empty?: string;
}

const DEFAULT_HINTS: Required<InputFileHints> = {
  missing: "Check the path; build the project first if it is a build output.",
  directory: "Name the file inside it.",
  empty: "Rebuild it; the file holds no bytes.",
};

/** What a file that is neither regular nor a directory is, for the message; undefined when unknown. */
function kindOf(st: InputStat): string | undefined {
  if (st.isCharacterDevice?.() === true) return "a character device";
  if (st.isBlockDevice?.() === true) return "a block device";
  if (st.isFIFO?.() === true) return "a pipe";
  if (st.isSocket?.() === true) return "a socket";
  return undefined;
}

/**
 * Reads `file`; `where` names it in messages (`app.bin (for 0x00010000)`). Throws `FILE_NOT_FOUND`,
 * `FILE_UNREADABLE` (no permission, a directory, a device, a pipe or a socket) or `FILE_EMPTY`.
 */
export async function readInputFile(fs: InputFs, file: string, where: string, hints: InputFileHints = {}): Promise<Uint8Array> {
  const hint = { ...DEFAULT_HINTS, ...hints };
  let st: InputStat;
  try {
    st = await fs.stat(file);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") throw new EspsyncError("FILE_NOT_FOUND", `${where}: no such file`, { hint: hint.missing, cause });
    throw new EspsyncError("FILE_UNREADABLE", `${where}: cannot read (${(cause as Error).message})`, { hint: "Check the file's permissions.", cause });
  }
  if (st.isDirectory()) throw new EspsyncError("FILE_UNREADABLE", `${where}: is a directory, not a file`, { hint: hint.directory });
  if (!st.isFile()) {
    const kind = kindOf(st);
    throw new EspsyncError("FILE_UNREADABLE", `${where}: is ${kind === undefined ? "" : `${kind}, `}not a regular file`, {
      hint: "Name the file itself; espsync reads its inputs from regular files only, not from devices, pipes or sockets.",
    });
  }
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (cause) {
    throw new EspsyncError("FILE_UNREADABLE", `${where}: cannot read (${(cause as Error).message})`, { hint: "Check the file's permissions.", cause });
  }
  if (bytes.length === 0) throw new EspsyncError("FILE_EMPTY", `${where}: file is empty`, { hint: hint.empty });
  return bytes;
}
