/**
 * ESP-IDF's `build/flasher_args.json`: which file goes where, the flash settings and the chip.
 * Parsed purely; paths are resolved against the build directory and must stay inside it.
 */
import path from "node:path";
import { EspsyncError } from "../errors.js";
import { parseAddress } from "./address.js";
import { isImageChip, type ImageChip } from "./chip-table.js";
import type { FlashSettings } from "./bootloader-patch.js";

/** What espsync uses from flasher_args.json. */
export interface FlasherArgs {
  /** Files to write, in the order listed, with absolute paths. */
  readonly files: readonly { readonly addr: number; readonly path: string }[];
  /** `flash_settings` (flash_mode, flash_freq, flash_size). */
  readonly flashSettings: FlashSettings;
  /** `extra_esptool_args.chip`, when it names a known chip. */
  readonly chip: ImageChip | undefined;
  /** `extra_esptool_args.before`, verbatim. */
  readonly before: string | undefined;
  /** `extra_esptool_args.after`, verbatim. */
  readonly after: string | undefined;
  /** `extra_esptool_args.stub`: false when the build asks for the ROM loader only. */
  readonly stub: boolean | undefined;
}

function invalid(file: string, why: string, hint = "Rebuild the project (idf.py build) to regenerate flasher_args.json."): EspsyncError {
  return new EspsyncError("FLASHER_ARGS_INVALID", `${file}: ${why}`, { hint });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parses flasher_args.json text. `jsonPath` names the file in messages; paths inside are resolved
 * against its directory. Throws `FLASHER_ARGS_INVALID` for bad JSON, missing fields, bad offsets and
 * paths that leave the build directory.
 */
export function parseFlasherArgs(text: string, jsonPath: string): FlasherArgs {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new EspsyncError("FLASHER_ARGS_INVALID", `${jsonPath}: not valid JSON (${(cause as Error).message})`, {
      hint: "Rebuild the project (idf.py build) to regenerate flasher_args.json.",
      cause,
    });
  }
  if (!isObject(doc)) throw invalid(jsonPath, "top level is not a JSON object");
  const flashFiles = doc["flash_files"];
  if (!isObject(flashFiles) || Object.keys(flashFiles).length === 0) throw invalid(jsonPath, 'missing or empty "flash_files"');
  const buildDir = path.dirname(path.resolve(jsonPath));
  const files = Object.entries(flashFiles).map(([offset, rel]) => {
    if (typeof rel !== "string" || rel === "") throw invalid(jsonPath, `"flash_files" entry ${offset} is not a file name`);
    let addr: number;
    try {
      addr = parseAddress(offset, rel);
    } catch {
      throw invalid(jsonPath, `"flash_files" offset "${offset}" for ${rel} is not a number`);
    }
    const abs = path.resolve(buildDir, rel);
    const inside = path.relative(buildDir, abs);
    if (inside === "" || inside.startsWith("..") || path.isAbsolute(inside)) {
      throw invalid(jsonPath, `"flash_files" path "${rel}" at ${offset} leaves the build directory`, "Only files inside the build directory are flashed; fix the path or pass ADDR FILE pairs.");
    }
    return { addr, path: abs };
  });
  const settings = doc["flash_settings"];
  if (!isObject(settings)) throw invalid(jsonPath, 'missing "flash_settings"');
  const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
  const flashSettings: FlashSettings = {
    ...(str(settings["flash_mode"]) && { flashMode: str(settings["flash_mode"]) }),
    ...(str(settings["flash_freq"]) && { flashFreq: str(settings["flash_freq"]) }),
    ...(str(settings["flash_size"]) && { flashSize: str(settings["flash_size"]) }),
  };
  const extra = isObject(doc["extra_esptool_args"]) ? doc["extra_esptool_args"] : {};
  const chipName = str(extra["chip"]);
  if (chipName !== undefined && !isImageChip(chipName)) throw invalid(jsonPath, `unknown chip "${chipName}" in "extra_esptool_args"`);
  const stub = typeof extra["stub"] === "boolean" ? extra["stub"] : undefined;
  return { files, flashSettings, chip: chipName, before: str(extra["before"]), after: str(extra["after"]), stub };
}
