/**
 * What esptool.py v5 does before any command runs, over `socket://` with `--before no-reset`
 * (PROTOCOL.md §3.2): SYNC, chip detection (GET_SECURITY_INFO, or the §1.6 unsupported reply on
 * the ESP32 ROM followed by a reconnect and the magic-register read), chip description / features /
 * crystal / MAC reads, the stub upload with "OHAI", and — for flash commands — `attach_flash`
 * (SPI_ATTACH on the ROM, RDID, SFDP probes, flash reset) and SPI_SET_PARAMS.
 */
import { DETECTED_FLASH_SIZES, ROM_LIST, flashSizeBytes, type EsptoolChipClass } from "./chip-classes.js";
import { EsptoolPyLoader, OP, TIMEOUT_MS, UnsupportedCommandError, pack } from "./esptool-py-loader.js";
import { FatalError } from "./slip-socket.js";

const MAGIC_REG = 0x40001000;
const ESP_RAM_BLOCK = 0x1800;

/** What detection and the info reads found. */
export interface ChipInfo {
  readonly chip: EsptoolChipClass;
  readonly description: string;
  readonly mac: string;
  /** GET_SECURITY_INFO chip id (undefined on the ESP32). */
  readonly chipId: number | undefined;
  /** Detection went through the §1.6 unsupported reply and a reconnect. */
  readonly usedMagicFallback: boolean;
}

/** `get_security_info`: 20 bytes, else 12 (FatalError only; Unsupported propagates). */
export async function getSecurityInfo(esp: EsptoolPyLoader): Promise<{ flags: number; cryptCnt: number; chipId: number | undefined }> {
  let res: Uint8Array;
  try {
    res = (await esp.checkCommand("get security info", OP.GET_SECURITY_INFO, new Uint8Array(0), 0, 20)) as Uint8Array;
  } catch (e) {
    if (!(e instanceof FatalError)) throw e;
    res = (await esp.checkCommand("get security info", OP.GET_SECURITY_INFO, new Uint8Array(0), 0, 12)) as Uint8Array;
  }
  const v = new DataView(res.buffer, res.byteOffset, res.byteLength);
  return { flags: v.getUint32(0, true), cryptCnt: v.getUint8(4), chipId: res.length >= 20 ? v.getUint32(12, true) : undefined };
}

/** `detect_chip` + the info printed by esptool's main. */
export async function detectChip(esp: EsptoolPyLoader): Promise<ChipInfo> {
  await esp.connect();
  let chip: EsptoolChipClass | undefined;
  let chipId: number | undefined;
  let usedMagicFallback = false;
  try {
    const si = await getSecurityInfo(esp);
    if (si.chipId === undefined) throw new FatalError("Security info command does not contain chip ID.");
    chipId = si.chipId;
    chip = ROM_LIST.find((c) => !c.usesMagicValue && c.imageChipId === chipId);
    if (!chip) throw new FatalError(`Unexpected chip ID value ${chipId}. Failed to autodetect chip type.`);
    await esp.readReg(MAGIC_REG); // dummy read: Secure Download Mode check
  } catch (e) {
    if (chip) throw e;
    if (!(e instanceof UnsupportedCommandError) && !(e instanceof FatalError)) throw e;
    // ESP32/ESP8266 ROM (or a stub without the command): reconnect, then the magic register.
    usedMagicFallback = true;
    chipId = undefined;
    await esp.connect();
    const magic = await esp.readReg(MAGIC_REG);
    chip = ROM_LIST.find((c) => c.usesMagicValue && c.magicValues.includes(magic));
    if (!chip) throw new FatalError(`Unexpected chip magic value 0x${magic.toString(16).padStart(8, "0")}. Failed to autodetect chip type.`);
  }
  esp.chip = chip;
  esp.isStub = esp.syncStubDetected; // check_if_stub
  // The chip object has its own cache: newer chips ask for the security info again (§3.2).
  if (!chip.usesMagicValue) await getSecurityInfo(esp);
  const description = await chipDescription(esp, chip);
  for (const reg of chip.infoRegs) await esp.readReg(reg); // features, crystal
  const mac = await readMac(esp, chip);
  return { chip, description, mac, chipId, usedMagicFallback };
}

/** `get_chip_description` of each class (§3.3 registers). */
async function chipDescription(esp: EsptoolPyLoader, chip: EsptoolChipClass): Promise<string> {
  if (chip.name === "ESP32") {
    const w3 = await esp.readReg(0x3ff5a00c);
    const w5 = await esp.readReg(0x3ff5a014);
    const apb = await esp.readReg(0x3ff6607c);
    const pkg = ((w3 >>> 9) & 7) + (((w3 >>> 2) & 1) << 3);
    const combined = (((apb >>> 31) & 1) << 2) | (((w5 >>> 20) & 1) << 1) | ((w3 >>> 15) & 1);
    const major = ({ 0: 0, 1: 1, 3: 2, 7: 3 } as Record<number, number>)[combined] ?? 0;
    const minor = (w5 >>> 24) & 3;
    let name = ({ 0: "ESP32-D0WDQ6", 1: "ESP32-D0WD", 2: "ESP32-D2WD", 4: "ESP32-U4WDH", 5: "ESP32-PICO-D4", 6: "ESP32-PICO-V3-02" } as Record<number, string>)[pkg] ?? "unknown ESP32";
    if (name.startsWith("ESP32-D0WD") && major === 3) name += "-V3";
    return `${name} (revision v${major}.${minor})`;
  }
  const base = chip.name === "ESP32-S3" ? 0x60007000 : 0x60008800;
  const w3 = await esp.readReg(base + 0x50);
  const w5 = await esp.readReg(base + 0x58);
  const minor = (((w5 >>> 23) & 1) << 3) | ((w3 >>> 18) & 7);
  const major = (w5 >>> 24) & 3;
  const pkg = (w3 >>> 21) & 7;
  const names: Record<number, string> = chip.name === "ESP32-S3"
    ? { 0: "ESP32-S3 (QFN56)", 1: "ESP32-S3-PICO-1 (LGA56)" }
    : { 0: "ESP32-C3 (QFN32)", 1: "ESP8685 (QFN28)", 2: "ESP32-C3 AZ (QFN32)", 3: "ESP8686 (QFN24)" };
  return `${names[pkg] ?? `unknown ${chip.name}`} (revision v${major}.${minor})`;
}

/** `read_mac`: `struct.pack(">II", mac1, mac0)[2:]`. */
export async function readMac(esp: EsptoolPyLoader, chip: EsptoolChipClass): Promise<string> {
  const mac0 = await esp.readReg(chip.macRegs[0]);
  const mac1 = await esp.readReg(chip.macRegs[1]);
  const b = Buffer.alloc(8);
  b.writeUInt32BE(mac1, 0);
  b.writeUInt32BE(mac0, 4);
  return [...b.subarray(2)].map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/** `run_stub` with esptool.py v5.3.1's stub image sizes (§2.5). Returns false when it was already running. */
export async function runStub(esp: EsptoolPyLoader, ramBlockBytes = ESP_RAM_BLOCK): Promise<boolean> {
  const chip = esp.requireChip();
  if (chip.name !== "ESP32") await esp.readReg(chip.secureBootReg); // stub-refusal check (§3.2)
  if (esp.syncStubDetected) {
    esp.isStub = true;
    return false;
  }
  const segments: [number, number][] = [[chip.stub.textAddr, chip.stub.textBytes], [chip.stub.dataAddr, chip.stub.dataBytes]];
  for (const [addr, size] of segments) {
    const data = Uint8Array.from({ length: size }, (_, i) => (i * 7 + addr) & 0xff);
    const blocks = Math.ceil(size / ramBlockBytes);
    await esp.checkCommand("enter RAM download mode", OP.MEM_BEGIN, pack(size, blocks, ramBlockBytes, addr));
    for (let seq = 0; seq < blocks; seq++) {
      const block = data.subarray(seq * ramBlockBytes, (seq + 1) * ramBlockBytes);
      await esp.checkCommand("write to target RAM", OP.MEM_DATA, Uint8Array.from([...pack(block.length, seq, 0, 0), ...block]), checksumOf(block));
    }
  }
  try {
    // mem_finish: short timeout, errors from the ROM ignored.
    await esp.checkCommand("leave RAM download mode", OP.MEM_END, pack(chip.stub.entry === 0 ? 1 : 0, chip.stub.entry), 0, 0, TIMEOUT_MS.MEM_END_ROM);
  } catch (e) {
    if (!(e instanceof FatalError)) throw e;
  }
  const p = await esp.port.readFrame(TIMEOUT_MS.DEFAULT);
  if (Buffer.from(p).toString("latin1") !== "OHAI") throw new FatalError(`Failed to start stub flasher. Unexpected response: ${Buffer.from(p).toString("hex")}`);
  esp.isStub = true;
  esp.port.flushInput(); // the stub class's constructor flushes
  return true;
}

function checksumOf(data: Uint8Array): number {
  let c = 0xef;
  for (const b of data) c ^= b;
  return c;
}

/** What `attach_flash` saw. */
export interface AttachResult {
  readonly spiAttachArg: number | undefined;
  readonly sfdpSignature: number;
  readonly sfdpMfid: number;
}

/** `attach_flash` (§3.2, v5.3.1 order). */
export async function attachFlash(esp: EsptoolPyLoader): Promise<AttachResult> {
  const chip = esp.requireChip();
  let spiAttachArg: number | undefined;
  if (!esp.isStub) {
    spiAttachArg = 0;
    if (chip.name === "ESP32") {
      // get_chip_spi_pads: eFuse words 5 and 3.
      const w5 = await esp.readReg(0x3ff5a014);
      const w3 = await esp.readReg(0x3ff5a00c);
      const [clk, q, d, cs, hd] = [w5 & 0x1f, (w5 >>> 5) & 0x1f, (w5 >>> 10) & 0x1f, (w5 >>> 15) & 0x1f, (w3 >>> 4) & 0x1f];
      spiAttachArg = ((hd << 24) | (cs << 18) | (d << 12) | (q << 6) | clk) >>> 0;
    }
    // ROM SPI_ATTACH carries 4 more "is_legacy" bytes (§2.7).
    await esp.checkCommand("configure SPI flash pins", OP.SPI_ATTACH, Uint8Array.from([...pack(spiAttachArg), 0, 0, 0, 0]));
  }
  const id = await esp.flashId(false); // is_xmc_chip_strict, uncached
  const vendor = id & 0xff;
  let sfdpMfid = -1;
  if (vendor !== 0x20) sfdpMfid = await esp.readSpiflashSfdp(0x10, 8);
  const sfdpSignature = await esp.readSpiflashSfdp(0, 32);
  if (sfdpSignature !== 0x50444653) {
    const again = await esp.flashId(false);
    if (again === 0 || again === 0xffffff || again === 0xffff3f) throw new FatalError("Unable to verify flash chip connection.");
  }
  await esp.runSpiflashCommand(0x66); // reset enable
  await esp.runSpiflashCommand(0x99); // reset
  await esp.flashId(); // connection check (cached)
  return { spiAttachArg, sfdpSignature, sfdpMfid };
}

/** `_set_flash_parameters("keep")`: size from the cached RDID, SPI_SET_PARAMS. Returns bytes. */
export async function setFlashParameters(esp: EsptoolPyLoader): Promise<number> {
  const id = await esp.flashId();
  const size = DETECTED_FLASH_SIZES[(id >>> 16) & 0xff];
  if (size === undefined) throw new FatalError(`flash size byte 0x${((id >>> 16) & 0xff).toString(16)} is unknown to esptool`);
  const bytes = flashSizeBytes(size);
  await esp.flashSetParameters(bytes);
  return bytes;
}
