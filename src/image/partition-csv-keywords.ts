/**
 * The names a partition CSV may use for types and subtypes, and the numbers they stand for: ESP-IDF's
 * `esp_partition_type_t` / `esp_partition_subtype_t` as `gen_esp32part.py` (ESP-IDF v6.0) knows them.
 * Names are matched case-insensitively, as there.
 */

/** Type byte of app partitions. */
export const APP_PARTITION_TYPE = 0x00;
/** Type byte of data partitions. */
export const DATA_PARTITION_TYPE = 0x01;
/** Type byte of the bootloader partitions (primary, ota, recovery). */
export const BOOTLOADER_PARTITION_TYPE = 0x02;
/** Type byte of the partition table partitions (primary, ota). */
export const TABLE_PARTITION_TYPE = 0x03;

/** Partition type names → type byte. */
export const CSV_TYPE_NAMES: Readonly<Record<string, number>> = {
  bootloader: BOOTLOADER_PARTITION_TYPE,
  partition_table: TABLE_PARTITION_TYPE,
  app: APP_PARTITION_TYPE,
  data: DATA_PARTITION_TYPE,
};

/** App subtypes: factory, ota_0 (0x10) … ota_15 (0x1F), test (0x20), tee_0/tee_1 (0x30/0x31). */
const APP_SUBTYPES: Record<string, number> = { factory: 0x00, test: 0x20 };
for (let slot = 0; slot < 16; slot++) APP_SUBTYPES[`ota_${slot}`] = 0x10 + slot;
for (let slot = 0; slot < 2; slot++) APP_SUBTYPES[`tee_${slot}`] = 0x30 + slot;

/** Subtype names per type byte; a type without an entry takes numbers only. */
export const CSV_SUBTYPE_NAMES: Readonly<Record<number, Readonly<Record<string, number>>>> = {
  [BOOTLOADER_PARTITION_TYPE]: { primary: 0x00, ota: 0x01, recovery: 0x02 },
  [TABLE_PARTITION_TYPE]: { primary: 0x00, ota: 0x01 },
  [APP_PARTITION_TYPE]: APP_SUBTYPES,
  [DATA_PARTITION_TYPE]: {
    ota: 0x00, phy: 0x01, nvs: 0x02, coredump: 0x03, nvs_keys: 0x04, efuse: 0x05, undefined: 0x06,
    esphttpd: 0x80, fat: 0x81, spiffs: 0x82, littlefs: 0x83, tee_ota: 0x90,
  },
};

/** Subtype a data partition gets when its subtype field is empty (`undefined`). */
export const DATA_SUBTYPE_UNDEFINED = 0x06;
/** Data subtype of the OTA data partition (`ota`), which must be 0x2000 bytes and unique. */
export const DATA_SUBTYPE_OTA = 0x00;
/** Data subtype of the core dump partition (`coredump`), always read-write. */
export const DATA_SUBTYPE_COREDUMP = 0x03;
/** Data subtype of NVS (`nvs`), which needs 0x3000 bytes unless read-only. */
export const DATA_SUBTYPE_NVS = 0x02;
/** Data subtype of the TEE OTA data partition (`tee_ota`), 0x2000 bytes and unique. */
export const DATA_SUBTYPE_TEE_OTA = 0x90;

/** The flag names of the CSV's last column → bit in the entry's flags word. */
export const CSV_FLAG_BITS: Readonly<Record<string, number>> = { encrypted: 0, readonly: 1 };

/** Names a type byte for messages: `app`, `data`, or `0x40`. */
export function csvTypeName(type: number): string {
  return Object.entries(CSV_TYPE_NAMES).find(([, value]) => value === type)?.[0] ?? `0x${type.toString(16).padStart(2, "0")}`;
}
