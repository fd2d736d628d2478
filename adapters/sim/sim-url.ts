/**
 * `sim:` port URLs: `sim:esp32c3`, `sim:esp32?flash=4MB&mac=24:0a:c4:00:00:01&seed=7&boot=app&timing=usb-uart&file=PATH`;
 * `usb=1` (or `usb=jtag`) reaches the chip through its USB-Serial/JTAG peripheral, `usb=otg` through
 * the ROM's USB-OTG port; `delay=MS` holds each flash data block's reply MS real-time milliseconds
 * (to interrupt writes in tests), `delay-on=read,erase,digest,data` names which replies it holds
 * instead (reads, erases, digests, data blocks).
 */
import { EspsyncError } from "../../src/errors.js";
import { SIM_CHIP_TABLE, SIM_CHIPS, type SimChipName } from "./chip-table.js";
import { FLASH_SIZES_BYTES } from "./flash-model.js";
import { DELAYED_OPS, parseMac, type DelayedReplies, type SimOptions } from "./options.js";
import { TIMING_PROFILES, type TimingProfileName } from "./timing.js";
import { checkPortKind, type SimPortKind } from "./usb-ports.js";

const FLASH_NAMES = FLASH_SIZES_BYTES.map((b) => `${b / 0x100000}MB`);

function parseFlashSize(text: string): number {
  const m = /^(\d+)\s*(MB|M|MIB)?$/i.exec(text.trim());
  const bytes = m ? (m[2] ? Number(m[1]) * 0x100000 : Number(m[1])) : NaN;
  if (!(FLASH_SIZES_BYTES as readonly number[]).includes(bytes)) {
    throw new EspsyncError("USAGE", `invalid simulated flash size "${text}"`, { hint: `Use one of: ${FLASH_NAMES.join(", ")}.` });
  }
  return bytes;
}

/** Parses a `sim:` URL into options; throws `CHIP_UNKNOWN` or `USAGE` with the valid values. */
export function parseSimUrl(url: string): SimOptions {
  const m = /^sim:(?:\/\/)?([^?]*)(?:\?(.*))?$/.exec(url.trim());
  if (!m) throw new EspsyncError("USAGE", `not a simulator URL: "${url}"`, { hint: `Write sim:<chip>, e.g. sim:esp32c3 (chips: ${SIM_CHIPS.join(", ")}).` });
  return simOptions(m[1] ?? "", new URLSearchParams(m[2] ?? ""), `in ${url}`);
}

/**
 * The simulator's options from a chip name and `key=value` settings (a `sim:` URL's query, or
 * `espsync sim`'s flags); `where` ends every message (`in sim:esp32?x=1`, `for espsync sim`).
 */
export function simOptions(chipName: string, settings: Iterable<[string, string]>, where: string): SimOptions {
  const chip = chipName.toLowerCase().replace(/-/g, "");
  if (!(SIM_CHIPS as readonly string[]).includes(chip)) {
    throw new EspsyncError("CHIP_UNKNOWN", `the simulator does not model the chip "${chipName}" ${where}`, {
      hint: `Simulated chips: ${SIM_CHIPS.join(", ")}.`,
    });
  }
  const options: SimOptions = { chip: chip as SimChipName, flashSizeBytes: 0x400000 };
  const bool = (v: string) => v === "" || v === "1" || v === "true" || v === "yes";
  for (const [key, value] of settings) {
    switch (key) {
      case "flash":
        options.flashSizeBytes = parseFlashSize(value);
        break;
      case "mac":
        parseMac(value);
        options.mac = value;
        break;
      case "seed":
        if (!/^\d+$/.test(value)) throw new EspsyncError("USAGE", `invalid seed "${value}" ${where}`, { hint: "Use a non-negative integer." });
        options.seed = Number(value);
        break;
      case "boot":
        if (value !== "app" && value !== "download") throw new EspsyncError("USAGE", `invalid boot "${value}" ${where}`, { hint: "Use boot=download or boot=app." });
        options.boot = value;
        break;
      case "timing":
        if (!(value in TIMING_PROFILES)) {
          throw new EspsyncError("USAGE", `invalid timing profile "${value}" ${where}`, { hint: `Use one of: ${Object.keys(TIMING_PROFILES).join(", ")}.` });
        }
        options.timing = value as TimingProfileName;
        break;
      case "file":
        options.flashFile = value;
        break;
      case "usb":
        options.portKind = parsePortKind(value, where);
        break;
      case "sdm":
        options.secureDownloadMode = bool(value);
        break;
      case "encrypted":
        options.flashEncryption = bool(value);
        break;
      case "delay":
        if (!/^\d+$/.test(value) || Number(value) > 10_000) {
          throw new EspsyncError("USAGE", `invalid delay "${value}" ${where}`, { hint: "Use whole milliseconds per flash data block, 0 to 10000." });
        }
        options.dataReplyDelayMs = Number(value);
        break;
      case "delay-on":
        options.delayOn = value.split(",").map((group) => {
          if (!(group in DELAYED_OPS)) {
            throw new EspsyncError("USAGE", `invalid delay-on "${group}" ${where}`, { hint: `Use a comma-separated list of: ${Object.keys(DELAYED_OPS).join(", ")}.` });
          }
          return group as DelayedReplies;
        });
        break;
      default:
        throw new EspsyncError("USAGE", `unknown simulator option "${key}" ${where}`, {
          hint: "Options: flash, mac, seed, boot, timing, file, usb (1 or jtag: USB-Serial/JTAG; otg: USB-OTG), sdm, encrypted, delay, delay-on.",
        });
    }
  }
  if (options.portKind !== undefined) checkPortKind(chip, SIM_CHIP_TABLE[options.chip], options.portKind, where);
  return options;
}

/** `usb=` values: on (`1`, `true`, `yes`, empty, `jtag`) = USB-Serial/JTAG, `otg` = USB-OTG, off = UART. */
function parsePortKind(value: string, where: string): SimPortKind {
  const v = value.toLowerCase();
  if (v === "" || v === "1" || v === "true" || v === "yes" || v === "jtag" || v === "usb-jtag") return "usb-jtag";
  if (v === "otg" || v === "usb-otg") return "usb-otg";
  if (v === "0" || v === "false" || v === "no" || v === "uart") return "uart";
  throw new EspsyncError("USAGE", `invalid usb "${value}" ${where}`, {
    hint: "Use usb=1 (or usb=jtag) for the USB-Serial/JTAG port, usb=otg for the USB-OTG port, or leave usb out for a UART link.",
  });
}
