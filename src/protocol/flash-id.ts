/**
 * The flash chip's JEDEC id (RDID, 0x9F) through the SPI controller's user-command registers
 * (PROTOCOL.md §3.4), in three exchanges instead of esptool-js's eleven: the saved USR/USR2 values,
 * the five register writes of the command (one WRITE_REG with five records, §2.7) and the two reads
 * of the result go pipelined (`pipeline.ts`, several at a time to the ROM), then one WRITE_REG puts
 * USR/USR2 back. The register sequence is esptool-js's `runSpiflashCommand` for a 24-bit read.
 */
import type { ESPLoader } from "esptool-js";
import type { CommandLink } from "./command-link.js";
import { OP } from "./opcodes.js";
import { exchangeAll } from "./pipeline.js";
import { protocolError } from "./protocol-errors.js";
import { u32le } from "./words.js";

const SPIFLASH_RDID = 0x9f;
const SPI_USR_COMMAND = 1 << 31;
const SPI_USR_MISO = 1 << 28;
const SPI_USR2_COMMAND_LEN_SHIFT = 28;
const SPI_CMD_USR = 1 << 18;
/** RDID answers 24 bits. */
const READ_BITS = 24;

/** The SPI register layout of an esptool-js chip class (absent MOSI/MISO length registers: ESP8266). */
interface SpiLayout {
  readonly SPI_REG_BASE: number;
  readonly SPI_USR_OFFS: number;
  readonly SPI_USR2_OFFS: number;
  readonly SPI_W0_OFFS: number;
  readonly SPI_MISO_DLEN_OFFS?: number | null;
}

/** WRITE_REG records `[addr, value]…`, each with a full mask and no delay (§2.7). */
function writeRecords(records: readonly (readonly [number, number])[]): Uint8Array {
  return u32le(...records.flatMap(([addr, value]) => [addr, value >>> 0, 0xffffffff, 0]));
}

/** Reads the JEDEC id (`mfr | type << 8 | capacity << 16`); see the module comment. */
export async function readFlashId(link: CommandLink, loader: ESPLoader, timeoutMs: number): Promise<number> {
  const spi = loader.chip as unknown as SpiLayout;
  if (spi.SPI_MISO_DLEN_OFFS === undefined || spi.SPI_MISO_DLEN_OFFS === null) return (await loader.readFlashId()) >>> 0;
  const base = spi.SPI_REG_BASE;
  const [cmd, usr, usr2, w0, misoDlen] = [base, base + spi.SPI_USR_OFFS, base + spi.SPI_USR2_OFFS, base + spi.SPI_W0_OFFS, base + spi.SPI_MISO_DLEN_OFFS];
  const read = (addr: number, what: string) => ({ op: OP.READ_REG, data: u32le(addr), what: `RDID: ${what}`, timeoutMs });
  const command = writeRecords([
    [misoDlen, READ_BITS - 1],
    [usr, SPI_USR_COMMAND | SPI_USR_MISO],
    [usr2, (7 << SPI_USR2_COMMAND_LEN_SHIFT) | SPIFLASH_RDID],
    [w0, 0],
    [cmd, SPI_CMD_USR],
  ]);
  const [oldUsr, oldUsr2, , done, id] = await exchangeAll(link, loader, [
    read(usr, "save USR"),
    read(usr2, "save USR2"),
    { op: OP.WRITE_REG, data: command, what: "RDID: start the command", timeoutMs },
    read(cmd, "poll CMD"),
    read(w0, "result"),
  ]);
  let busy = ((done?.value ?? 0) & SPI_CMD_USR) !== 0;
  let value = id?.value ?? 0;
  // The command takes microseconds; poll like esptool-js (10 reads) in case it was still running.
  for (let i = 0; busy && i < 10; i++) {
    const [again, result] = await exchangeAll(link, loader, [read(cmd, "poll CMD"), read(w0, "result")]);
    busy = ((again?.value ?? 0) & SPI_CMD_USR) !== 0;
    value = result?.value ?? 0;
  }
  if (busy) throw protocolError("RDID", "the SPI command did not complete in time");
  await exchangeAll(link, loader, [{ op: OP.WRITE_REG, data: writeRecords([[usr, oldUsr?.value ?? 0], [usr2, oldUsr2?.value ?? 0]]), what: "RDID: restore USR/USR2", timeoutMs }]);
  return (value & 0xffffff) >>> 0;
}
