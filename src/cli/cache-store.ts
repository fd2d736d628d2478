/**
 * The host digest cache on disk: one JSON file in the user's cache directory holding, per chip MAC,
 * the digests of what espsync last wrote and verified. Each board gets a store bound to its MAC, so
 * several boards flashed in parallel (or one after another) never drop each other's entries: a save
 * re-reads the file and replaces only that chip's entries, then renames a temporary file into place.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CacheStore } from "../engine/index.js";
import type { CacheEntry } from "../plan/index.js";

/** File name inside the cache directory. */
export const CACHE_FILE_NAME = "digests.json";
/** Version of the file format; a file with another version is ignored (and replaced on save). */
const FORMAT_VERSION = 1;

/**
 * The cache directory: `ESPSYNC_CACHE_DIR`, else the platform's user cache dir + `espsync`
 * (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on
 * Windows). Undefined when the environment names no home, so nothing is written anywhere unexpected.
 */
export function cacheDir(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform): string | undefined {
  if (env.ESPSYNC_CACHE_DIR) return env.ESPSYNC_CACHE_DIR;
  if (platform === "win32") return env.LOCALAPPDATA ? path.win32.join(env.LOCALAPPDATA, "espsync", "Cache") : undefined;
  if (platform === "darwin") return env.HOME ? path.join(env.HOME, "Library", "Caches", "espsync") : undefined;
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, "espsync");
  return env.HOME ? path.join(env.HOME, ".cache", "espsync") : undefined;
}

interface CacheFile {
  version: number;
  entries: CacheEntry[];
}

function isEntry(e: unknown): e is CacheEntry {
  const x = e as Record<string, unknown>;
  return (
    typeof x === "object" && x !== null &&
    typeof x.mac === "string" && typeof x.addr === "number" && typeof x.sizeBytes === "number" &&
    typeof x.regionMd5 === "string" && typeof x.sectorMd5s === "string"
  );
}

/** Reads every entry; a missing, unreadable-as-JSON or other-version file reads as empty. */
async function readEntries(file: string): Promise<CacheEntry[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  try {
    const doc = JSON.parse(text) as Partial<CacheFile>;
    if (doc.version !== FORMAT_VERSION || !Array.isArray(doc.entries)) return [];
    return doc.entries.filter(isEntry);
  } catch {
    // A corrupt cache is only a lost optimisation: start over.
    return [];
  }
}

// Saves within this process are serialised so parallel boards never interleave read-modify-write.
let queue: Promise<unknown> = Promise.resolve();

function serialised<T>(work: () => Promise<T>): Promise<T> {
  const next = queue.then(work, work);
  queue = next.catch(() => undefined);
  return next;
}

async function replaceEntries(file: string, mac: string, keep: (e: CacheEntry) => boolean, add: readonly CacheEntry[]): Promise<void> {
  await serialised(async () => {
    const others = (await readEntries(file)).filter((e) => e.mac !== mac || keep(e));
    const doc: CacheFile = { version: FORMAT_VERSION, entries: [...others, ...add] };
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(doc)}\n`);
    await rename(tmp, file);
  });
}

/** The digest cache file for `env`, or undefined when there is no cache directory. */
export function cacheFilePath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const dir = cacheDir(env);
  return dir === undefined ? undefined : path.join(dir, CACHE_FILE_NAME);
}

/** A {@link CacheStore} over `file` that loads and saves only the entries of the chip `mac`. */
export function fileCacheStore(file: string, mac: string): CacheStore {
  return {
    load: async () => (await readEntries(file)).filter((e) => e.mac === mac),
    save: (entries) => replaceEntries(file, mac, () => false, entries.filter((e) => e.mac === mac)),
  };
}

/**
 * Forgets what the cache says about `[addr, addr + sizeBytes)` of chip `mac` (the whole chip when
 * no range is given): after an erase the cached digests are no longer true.
 */
export async function forgetCachedRange(file: string, mac: string, range?: { addr: number; sizeBytes: number }): Promise<void> {
  const outside = (e: CacheEntry): boolean => range !== undefined && (e.addr + e.sizeBytes <= range.addr || range.addr + range.sizeBytes <= e.addr);
  const before = (await readEntries(file)).filter((e) => e.mac === mac);
  if (before.every(outside)) return;
  await replaceEntries(file, mac, outside, []);
}

/**
 * {@link forgetCachedRange} after an erase command: without a cache `file` there is nothing to do,
 * and a cache that cannot be updated is a warning — the erase itself still counts.
 */
export async function forgetErasedDigests(file: string | undefined, mac: string, warn: (line: string) => void, range?: { addr: number; sizeBytes: number }): Promise<void> {
  if (file === undefined) return;
  await forgetCachedRange(file, mac, range).catch((e: Error) => warn(`digest cache not updated (${e.message})`));
}
