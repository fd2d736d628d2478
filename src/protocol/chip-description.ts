/**
 * Reads what `espsync info` prints, once, at connect: name, description, revision, features,
 * crystal, MAC (through esptool-js's chip classes), the revision and flash id computed here, and
 * the security state from GET_SECURITY_INFO (PROTOCOL.md §2.6, §3.3, §3.4).
 */
import type { ESPLoader } from "esptool-js";
import { CHIP_NAMES, type ChipDescription, type ChipName, type SecurityState } from "./device.js";
import { EFUSE_REVISION_WORDS, ESP32_REVISION_REGS, ESP32C2_REVISION_WORD, esp32c2Revision, esp32Revision, formatRevision, revisionFromBlock1 } from "./revision.js";

/** esptool-js `CHIP_NAME` → espsync chip name (`ESP32-C3` → `esp32c3`); undefined when unsupported. */
export function chipNameFromEsptool(name: string): ChipName | undefined {
  const candidate = name.toLowerCase().replace(/-/g, "");
  return (CHIP_NAMES as readonly string[]).includes(candidate) ? (candidate as ChipName) : undefined;
}

/** Raw GET_SECURITY_INFO fields as esptool-js caches them. */
export interface RawSecurityInfo {
  readonly flags: number;
  readonly flashCryptCnt: number;
  readonly chipId: number | null;
}

/** Security state from GET_SECURITY_INFO (§2.6): flag bit 0 secure boot, bit 2 Secure Download Mode. */
export function parseSecurityState(raw: RawSecurityInfo): SecurityState {
  let bits = 0;
  for (let v = raw.flashCryptCnt; v; v >>= 1) bits += v & 1;
  return {
    flags: raw.flags >>> 0,
    flashCryptCount: raw.flashCryptCnt,
    flashEncryption: bits % 2 === 1,
    secureBoot: (raw.flags & 0x1) !== 0,
    secureDownloadMode: (raw.flags & 0x4) !== 0,
    ...(raw.chipId === null ? {} : { chipId: raw.chipId }),
  };
}

/** Reads the chip revision (major·100 + minor), avoiding esptool-js's S3 and C2 defects. */
export async function readRevisionFull(loader: ESPLoader, chip: ChipName): Promise<number> {
  if (chip === "esp32") {
    const r = ESP32_REVISION_REGS;
    return esp32Revision(await loader.readReg(r.word3), await loader.readReg(r.word5), await loader.readReg(r.apbCtlDate));
  }
  if (chip === "esp32s3") {
    const r = EFUSE_REVISION_WORDS.esp32s3;
    return revisionFromBlock1(await loader.readReg(r.word3), await loader.readReg(r.word5), await loader.readReg(r.blk2Word4));
  }
  if (chip === "esp32c3") {
    const r = EFUSE_REVISION_WORDS.esp32c3;
    return revisionFromBlock1(await loader.readReg(r.word3), await loader.readReg(r.word5));
  }
  if (chip === "esp32c2") return esp32c2Revision(await loader.readReg(ESP32C2_REVISION_WORD));
  // Other chips: their esptool-js classes read the right eFuses.
  const rom = loader.chip as unknown as { getMajorChipVersion?: (l: ESPLoader) => Promise<number>; getMinorChipVersion?: (l: ESPLoader) => Promise<number> };
  if (rom.getMajorChipVersion && rom.getMinorChipVersion) {
    return (await rom.getMajorChipVersion(loader)) * 100 + (await rom.getMinorChipVersion(loader));
  }
  return 0;
}

/** Facts gathered elsewhere in the connect flow. */
export interface DescriptionInputs {
  readonly chip: ChipName;
  readonly stub: boolean;
  readonly flashId: number;
  readonly flashSizeBytes: number;
  readonly security: SecurityState | undefined;
}

/**
 * Reads description, features, crystal and MAC. In Secure Download Mode register reads are
 * refused, so only the name is known there.
 */
export async function readChipDescription(loader: ESPLoader, inputs: DescriptionInputs): Promise<ChipDescription> {
  const base = {
    chip: inputs.chip,
    flashId: inputs.flashId,
    flashSizeBytes: inputs.flashSizeBytes,
    stub: inputs.stub,
    ...(inputs.security ? { security: inputs.security } : {}),
  };
  if (inputs.security?.secureDownloadMode) {
    return { ...base, description: `${loader.chip.CHIP_NAME} (Secure Download Mode)`, revisionFull: 0, features: [], crystalMhz: 0, mac: "unknown" };
  }
  const revisionFull = await readRevisionFull(loader, inputs.chip);
  let description = await loader.chip.getChipDescription(loader);
  // ESP32 prints "(revision 3)"; every other chip "(revision v0.3)": use one form.
  description = description.replace(/\(revision [^)]*\)$/, `(revision ${formatRevision(revisionFull)})`);
  const features = (await loader.chip.getChipFeatures(loader)).map((f) => f.trim()).filter((f) => f !== "");
  const crystalMhz = await loader.chip.getCrystalFreq(loader);
  const mac = await loader.chip.readMac(loader);
  return { ...base, description, revisionFull, features, crystalMhz, mac };
}
