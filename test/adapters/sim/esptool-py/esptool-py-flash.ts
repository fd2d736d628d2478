/**
 * esptool.py v5's flash commands (`cmds.py` write_flash / verify_flash / read_flash /
 * erase_region, `loader.py` flash_begin / flash_defl_begin / read_flash / read_flash_slow), with
 * their block sizes, payload lengths, padding, timeouts and acceptance rules (PROTOCOL.md §2.2–§2.4,
 * §5.2). Block retries are counted so tests can demand that none happened.
 */
import { createHash } from "node:crypto";
import { constants as zc, deflateSync, inflateSync } from "node:zlib";
import { EsptoolPyLoader, OP, TIMEOUT_MS, checksum, pack, timeoutPerMb } from "./esptool-py-loader.js";
import { FatalError } from "./slip-socket.js";

const SECTOR = 0x1000;
const MAGIC_REG = 0x40001000;

/** A file of `write-flash` / `verify-flash`. */
export interface AddrFile {
  readonly addr: number;
  readonly data: Uint8Array;
}

/** `pad_to(data, 4)` with 0xFF. */
export function padTo4(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 4) * 4).fill(0xff);
  out.set(data);
  return out;
}

function md5(data: Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

/** Counters a test may assert. */
export interface FlashStats {
  blockRetries: number;
  /** Per file: the MD5 the chip reported and the one computed on the host. */
  digests: { addr: number; chip: string; host: string }[];
}

function writeSize(esp: EsptoolPyLoader): number {
  return esp.isStub ? 0x4000 : 0x400;
}

/** The optional 5th FLASH_BEGIN word: stub, and every ROM but ESP32/ESP8266 (§2.2). */
function withEncryptedWord(esp: EsptoolPyLoader, words: number[]): Uint8Array {
  const extended = esp.isStub || esp.requireChip().romBeginHasEncryptedWord;
  return pack(...words, ...(extended ? [0] : []));
}

/** `flash_begin`. */
export async function flashBegin(esp: EsptoolPyLoader, size: number, offset: number): Promise<number> {
  const fws = writeSize(esp);
  const blocks = Math.ceil(size / fws);
  const timeoutMs = esp.isStub ? TIMEOUT_MS.DEFAULT : timeoutPerMb(40, size);
  await esp.checkCommand("enter flash download mode", OP.FLASH_BEGIN, withEncryptedWord(esp, [size, blocks, fws, offset]), 0, 0, timeoutMs);
  return blocks;
}

/** `flash_defl_begin`: stub = exact size, ROM = rounded up to the block size (§2 note *). */
async function flashDeflBegin(esp: EsptoolPyLoader, size: number, compSize: number, offset: number): Promise<number> {
  const fws = writeSize(esp);
  const blocks = Math.ceil(compSize / fws);
  const announced = esp.isStub ? size : Math.ceil(size / fws) * fws;
  const timeoutMs = esp.isStub ? TIMEOUT_MS.DEFAULT : timeoutPerMb(40, announced);
  await esp.checkCommand("enter compressed flash mode", OP.FLASH_DEFL_BEGIN, withEncryptedWord(esp, [announced, blocks, fws, offset]), 0, 0, timeoutMs);
  return blocks;
}

/** One data block with esptool's 3 attempts. */
async function sendBlock(esp: EsptoolPyLoader, op: number, block: Uint8Array, seq: number, timeoutMs: number, stats: FlashStats): Promise<void> {
  for (let left = 2; left >= 0; left--) {
    try {
      await esp.checkCommand(`write to target flash after seq ${seq}`, op, Uint8Array.from([...pack(block.length, seq, 0, 0), ...block]), checksum(block), 0, timeoutMs);
      return;
    } catch (e) {
      if (!(e instanceof FatalError) || left === 0) throw e;
      stats.blockRetries++;
    }
  }
}

/** Security eFuse reads of write/erase (§3.2). */
async function securityChecks(esp: EsptoolPyLoader): Promise<void> {
  const chip = esp.requireChip();
  await esp.readReg(chip.secureBootReg);
  if (chip.name === "ESP32") for (const r of [0x3ff5a00c, 0x3ff5a014, 0x3ff6607c, 0x3ff5a014]) await esp.readReg(r); // get_chip_revision
  for (const r of chip.securityRegs) if (r !== chip.secureBootReg) await esp.readReg(r);
}

/** `write_flash` for plain (unencrypted) files; `compress` defaults to `IS_STUB`. */
export async function writeFlash(esp: EsptoolPyLoader, files: readonly AddrFile[], flashEndBytes: number, compress?: boolean): Promise<FlashStats> {
  const stats: FlashStats = { blockRetries: 0, digests: [] };
  const useCompress = compress ?? esp.isStub;
  let lastCompressed = useCompress;
  await securityChecks(esp);
  for (const f of files) {
    if (f.addr + f.data.length > flashEndBytes) throw new FatalError(`File (length ${f.data.length}) at offset ${f.addr} will not fit in ${flashEndBytes} bytes of flash.`);
  }
  for (const f of files) {
    let address = f.addr;
    let image = padTo4(f.data);
    if (!esp.isStub) {
      // Without the stub the address is aligned down and 0xFF bytes prepended.
      const over = address % SECTOR;
      address -= over;
      image = Uint8Array.from([...new Uint8Array(over).fill(0xff), ...image]);
    }
    await esp.readReg(esp.requireChip().secureBootReg); // get_secure_boot_enabled before the header patch
    const calcmd5 = md5(image);
    const uncsize = image.length;
    const fws = writeSize(esp);
    let timeoutMs: number = TIMEOUT_MS.DEFAULT;
    const comp = useCompress ? deflateSync(image, { level: 9 }) : undefined;
    // v5.3.1 writes a file uncompressed when zlib does not make it smaller (§2.3, traced).
    lastCompressed = comp !== undefined && comp.length < image.length;
    if (comp && lastCompressed) {
      await flashDeflBegin(esp, uncsize, comp.length, address);
      let produced = 0;
      for (let seq = 0; seq * fws < comp.length; seq++) {
        const block = comp.subarray(seq * fws, (seq + 1) * fws);
        const upTo = inflateSync(comp.subarray(0, (seq + 1) * fws), { finishFlush: zc.Z_SYNC_FLUSH }).length;
        const blockTimeout = Math.max(TIMEOUT_MS.DEFAULT, timeoutPerMb(40, upTo - produced));
        produced = upTo;
        if (!esp.isStub) timeoutMs = blockTimeout; // the ROM writes before it ACKs
        await sendBlock(esp, OP.FLASH_DEFL_DATA, block, seq, timeoutMs, stats);
        if (esp.isStub) timeoutMs = blockTimeout; // the stub ACKs, then writes during the next block
      }
    } else {
      await flashBegin(esp, uncsize, address);
      for (let seq = 0; seq * fws < image.length; seq++) {
        const block = new Uint8Array(fws).fill(0xff); // the last block is padded
        block.set(image.subarray(seq * fws, (seq + 1) * fws));
        await sendBlock(esp, OP.FLASH_DATA, block, seq, TIMEOUT_MS.DEFAULT, stats);
      }
    }
    // The stub ACKs before writing: a dummy command waits for the last write (§2.2).
    if (esp.isStub) await esp.readReg(MAGIC_REG, timeoutMs);
    const res = await esp.flashMd5sum(address, uncsize);
    stats.digests.push({ addr: address, chip: res, host: calcmd5 });
    if (res !== calcmd5) {
      if (res === md5(new Uint8Array(uncsize).fill(0xff))) throw new FatalError("Write failed, the written flash region is empty.");
      throw new FatalError("MD5 of file does not match data in flash!");
    }
  }
  if (esp.isStub) {
    await flashBegin(esp, 0, 0);
    // flash_defl_finish(False) / flash_finish(False): flag = int(not reboot) = 1.
    await esp.checkCommand("leave flash download mode", lastCompressed ? OP.FLASH_DEFL_END : OP.FLASH_END, pack(1));
  }
  return stats;
}

/** `verify_flash`: digest compare per file; throws "Verify failed." on any mismatch. */
export async function verifyFlash(esp: EsptoolPyLoader, files: readonly AddrFile[]): Promise<FlashStats> {
  const stats: FlashStats = { blockRetries: 0, digests: [] };
  for (const f of files) {
    const image = padTo4(f.data);
    stats.digests.push({ addr: f.addr, chip: await esp.flashMd5sum(f.addr, image.length), host: md5(image) });
  }
  if (stats.digests.some((d) => d.chip !== d.host)) throw new FatalError("Verify failed.");
  return stats;
}

/** `read_flash` (stub streaming, §2.4) or `read_flash_slow` (ROM, 64-byte steps). */
export async function readFlash(esp: EsptoolPyLoader, offset: number, length: number): Promise<{ data: Uint8Array; frames: number[] }> {
  const frames: number[] = [];
  if (!esp.isStub) {
    const out: number[] = [];
    while (out.length < length) {
      const blockLen = Math.min(64, length - out.length);
      const r = (await esp.checkCommand("read flash block", OP.READ_FLASH_SLOW, pack(offset + out.length, blockLen), 0, 64)) as Uint8Array;
      if (r.length < blockLen) throw new FatalError(`Expected ${blockLen} byte block, got ${r.length} bytes. Serial errors?`);
      frames.push(r.length);
      out.push(...r.subarray(0, blockLen));
    }
    return { data: Uint8Array.from(out), frames };
  }
  await esp.checkCommand("read flash", OP.READ_FLASH, pack(offset, length, SECTOR, 64));
  const chunks: Uint8Array[] = [];
  let received = 0;
  while (received < length) {
    const p = await esp.port.readFrame(3000);
    chunks.push(p);
    frames.push(p.length);
    received += p.length;
    if (received < length && p.length < SECTOR) throw new FatalError(`Corrupt data, expected 0x1000 bytes but received 0x${p.length.toString(16)} bytes.`);
    esp.port.write(pack(received)); // raw SLIP frame: bytes received so far
  }
  if (received > length) throw new FatalError("Read more than expected.");
  const data = Buffer.concat(chunks);
  const digest = await esp.port.readFrame(3000);
  if (digest.length !== 16) throw new FatalError(`Expected digest, got: ${Buffer.from(digest).toString("hex")}`);
  if (Buffer.from(digest).toString("hex") !== md5(data)) throw new FatalError("Digest mismatch");
  return { data: new Uint8Array(data), frames };
}

/** `erase_region`: ROM via FLASH_BEGIN (erases at BEGIN), stub via ERASE_REGION. */
export async function eraseRegion(esp: EsptoolPyLoader, address: number, size: number): Promise<void> {
  if (address % SECTOR !== 0) throw new FatalError(`Offset to erase from must be a multiple of ${SECTOR}`);
  if (size % SECTOR !== 0) throw new FatalError(`Size of data to erase must be a multiple of ${SECTOR}`);
  await securityChecks(esp);
  if (!esp.isStub) await flashBegin(esp, size, address);
  else await esp.checkCommand("erase region", OP.ERASE_REGION, pack(address, size), 0, 0, timeoutPerMb(40, size));
}
