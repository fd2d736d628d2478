/**
 * One esptool.py v5 invocation: `esptool --port socket://HOST:PORT --before no-reset [--no-stub]
 * [--after …] COMMAND …` — open the port, detect, upload the stub, attach flash for flash commands,
 * run the command, apply `--after`, close. Returns what it printed (as data) plus the wire trace.
 */
import { ESPTOOL_CHIPS, DETECTED_FLASH_SIZES } from "./chip-classes.js";
import { attachFlash, detectChip, readMac, runStub, setFlashParameters, type AttachResult, type ChipInfo } from "./esptool-py-connect.js";
import { eraseRegion, flashBegin, readFlash, verifyFlash, writeFlash, type AddrFile, type FlashStats } from "./esptool-py-flash.js";
import { EsptoolPyLoader, OP, pack } from "./esptool-py-loader.js";
import { SlipSocket } from "./slip-socket.js";

/** The command line's command. */
export type EsptoolCommand =
  | { cmd: "chip-id" }
  | { cmd: "flash-id" }
  | { cmd: "write-flash"; files: AddrFile[]; compress?: boolean }
  | { cmd: "verify-flash"; files: AddrFile[] }
  | { cmd: "read-flash"; addr: number; size: number }
  | { cmd: "erase-region"; addr: number; size: number };

/** Global options. */
export interface EsptoolOptions {
  noStub?: boolean;
  after?: "hard-reset" | "no-reset" | "no-reset-stub";
  /** MEM_DATA block size (0x1800; 0x800 when esptool assumes USB-OTG). */
  ramBlockBytes?: number;
  /** `--baud`: CHANGE_BAUDRATE after the stub (or on the ROM with `--no-stub`). */
  baud?: number;
}

/** What one run produced. */
export interface EsptoolRun {
  readonly info: ChipInfo;
  /** The stub was uploaded (false: `--no-stub`, or "Stub flasher is already running"). */
  readonly stubUploaded: boolean;
  readonly stubAlreadyRunning: boolean;
  readonly attach?: AttachResult;
  readonly flashId?: { manufacturer: number; device: number; size: string | undefined };
  readonly flash?: FlashStats;
  readonly read?: { data: Uint8Array; frames: number[] };
  /** `--baud`: the rate sent and the reply's first status byte (esptool does not check it). */
  readonly baudChange?: { sentBaud: number; status: number | undefined };
  readonly loader: EsptoolPyLoader;
}

const FLASH_COMMANDS = new Set(["flash-id", "write-flash", "verify-flash", "read-flash", "erase-region"]);

/** Runs one esptool.py invocation against `socket://host:port`. */
export async function runEsptool(host: string, port: number, command: EsptoolCommand, options: EsptoolOptions = {}): Promise<EsptoolRun> {
  const socket = await SlipSocket.open(host, port);
  const esp = new EsptoolPyLoader(socket, undefined);
  try {
    const info = await detectChip(esp);
    let stubUploaded = false;
    let stubAlreadyRunning = false;
    if (!options.noStub) {
      stubUploaded = await runStub(esp, options.ramBlockBytes);
      stubAlreadyRunning = !stubUploaded;
    }
    const baudChange = options.baud === undefined ? undefined : await changeBaud(esp, options.baud);
    let attach: AttachResult | undefined;
    if (FLASH_COMMANDS.has(command.cmd)) attach = await attachFlash(esp);
    const run: { -readonly [K in keyof EsptoolRun]?: EsptoolRun[K] } = { info, stubUploaded, stubAlreadyRunning, attach, baudChange, loader: esp };
    switch (command.cmd) {
      case "chip-id":
        // ESP32 has no chip id: esptool reads the MAC instead; newer chips report it from security info.
        await readMac(esp, info.chip);
        break;
      case "flash-id": {
        const id = await esp.flashId();
        run.flashId = { manufacturer: id & 0xff, device: (((id >>> 8) & 0xff) << 8) | ((id >>> 16) & 0xff), size: DETECTED_FLASH_SIZES[(id >>> 16) & 0xff] };
        for (const reg of info.chip.flashVoltageRegs) await esp.readReg(reg);
        break;
      }
      case "write-flash": {
        const end = await setFlashParameters(esp);
        run.flash = await writeFlash(esp, command.files, end, command.compress);
        break;
      }
      case "verify-flash":
        await setFlashParameters(esp);
        run.flash = await verifyFlash(esp, command.files);
        break;
      case "read-flash":
        await setFlashParameters(esp);
        run.read = await readFlash(esp, command.addr, command.size);
        break;
      case "erase-region":
        await setFlashParameters(esp);
        await eraseRegion(esp, command.addr, command.size);
        break;
    }
    await after(esp, options.after ?? "hard-reset");
    return run as EsptoolRun;
  } finally {
    await socket.close();
  }
}

/**
 * `change_baud`. The ESP32 ROM class works around CK_8M drift (§7 of esptool's esp32.py): it
 * estimates the ROM's idea of the crystal from RTCCALICFG1 (0x3FF5F06C) and eFuse word 4's
 * CK8M_FREQ byte and sends a "false" rate scaled by it; a chip answering 0 there gets rate 0.
 * The reply goes through `command`, not `check_command`: esptool ignores its status.
 */
async function changeBaud(esp: EsptoolPyLoader, baud: number): Promise<{ sentBaud: number; status: number | undefined }> {
  let sentBaud = baud;
  if (!esp.isStub && esp.chip === ESPTOOL_CHIPS.esp32) {
    const caliVal = ((await esp.readReg(0x3ff5f06c)) >>> 7) & 0x01ffffff;
    const ck8m = (await esp.readReg(0x3ff5a010)) & 0xff;
    const romFreq = (caliVal * 15625 * ck8m) / 40;
    const validFreq = romFreq > 33_000_000 ? 40_000_000 : 26_000_000;
    sentBaud = Math.floor((baud * romFreq) / validFreq);
  }
  const reply = await esp.command(OP.CHANGE_BAUDRATE, pack(sentBaud, esp.isStub ? 115200 : 0));
  await esp.port.sleep(50);
  esp.port.flushInput();
  return { sentBaud, status: reply?.data[0] };
}

/** `--after`: over TCP the RTS pulse of hard-reset reaches nothing (§3.2, §4.3). */
async function after(esp: EsptoolPyLoader, mode: NonNullable<EsptoolOptions["after"]>): Promise<void> {
  if (mode === "hard-reset") {
    // ESP32-S3 clears RTC_CNTL_OPTION1's force-download bit first (§3.2); then only line changes.
    if (esp.chip === ESPTOOL_CHIPS.esp32s3) await esp.writeReg(0x6000812c, 0, 0x1);
    return;
  }
  if (mode === "no-reset" && esp.isStub) {
    // soft_reset(stay_in_bootloader=True): FLASH_BEGIN(0, 0) + FLASH_END(flag 0).
    await flashBegin(esp, 0, 0);
    await esp.checkCommand("leave flash download mode", OP.FLASH_END, pack(0));
  }
}
