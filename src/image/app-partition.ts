/** Which partition of a table an application goes to when none is named. */
import type { PartitionEntry, PartitionTable } from "./partition-table.js";

/** App partition subtypes (PROTOCOL.md §5.6). */
const APP_TYPE = 0x00;
const FACTORY = 0x00;
const OTA_0 = 0x10;

/**
 * The partition the bootloader boots when the OTA data says nothing — the factory app, else `ota_0`
 * — and failing both the app partition at the lowest offset. espflash makes the same choice.
 */
export function defaultAppPartition(table: PartitionTable): PartitionEntry | undefined {
  const apps = table.entries.filter((p) => p.type === APP_TYPE).sort((a, b) => a.offset - b.offset);
  return apps.find((p) => p.subtype === FACTORY) ?? apps.find((p) => p.subtype === OTA_0) ?? apps[0];
}
