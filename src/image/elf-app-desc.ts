/**
 * What the ELF → image conversion takes from the app description (`esp_app_desc_t`, PROTOCOL.md
 * §5.5) when the ELF has one: the MMU page size on chips where it is configurable (the description's
 * `mmu_page_size`, else inferred from where the description sits, as esptool and espflash do), and
 * the ELF's own SHA-256, which ESP-IDF leaves zeroed in `app_elf_sha256` for the converter to fill.
 */
import { createHash } from "node:crypto";
import { EspsyncError, hex32 } from "../errors.js";
import { APP_DESC_MAGIC } from "./app-desc.js";
import type { ImageChip } from "./chip-table.js";
import type { ElfFile, ElfSection } from "./elf-file.js";
import { CHIP_MEMORY_MAPS, DEFAULT_MMU_PAGE_BYTES, isFlashAddr } from "./elf-memory-map.js";
import { APP_DESC_SECTIONS, type ImageSegment } from "./elf-segments.js";

/** Offsets inside `esp_app_desc_t` (PROTOCOL.md §5.5). */
const DESC = { elfSha256: 144, mmuPageSizeLog2: 180, sizeBytes: 256 } as const;
/** Image header (24) + segment header (8): where the description's data starts in the image. */
const DESC_IMAGE_OFFSET = 32;
/** The section ESP-IDF reserves `app_elf_sha256` in; esp-hal's `.rodata_desc` leaves it zero. */
const IDF_APP_DESC_SECTION = ".flash.appdesc";

/** The flash-mapped section holding a valid app description, if the ELF has one. */
export function appDescSection(elf: ElfFile, chip: ImageChip): ElfSection | undefined {
  return elf.sections.find(
    (s) =>
      APP_DESC_SECTIONS.includes(s.name) &&
      isFlashAddr(chip, s.addr) &&
      s.data.length >= DESC.sizeBytes &&
      new DataView(s.data.buffer, s.data.byteOffset).getUint32(0, true) === APP_DESC_MAGIC,
  );
}

/**
 * The MMU page size the image is laid out for. Chips with one page size use it (64 KiB); on the
 * others the app description decides: its `mmu_page_size` field (log2) when set, else the largest
 * page size the description's address is aligned to (minus the 32 bytes of headers before it).
 */
export function mmuPageBytes(elf: ElfFile, chip: ImageChip, fileName: string): number {
  const sizes = CHIP_MEMORY_MAPS[chip].mmuPageSizes;
  const desc = appDescSection(elf, chip);
  if (sizes.length === 1 || desc === undefined) return DEFAULT_MMU_PAGE_BYTES;
  const log2 = desc.data[DESC.mmuPageSizeLog2] ?? 0;
  if (log2 !== 0) {
    const size = 2 ** log2;
    if (!sizes.includes(size)) {
      throw new EspsyncError("IMAGE_INVALID", `${fileName}: its app description asks for a ${size}-byte MMU page, which ${chip} does not have`, {
        hint: `${chip} supports MMU pages of ${sizes.map((s) => `${s / 1024} KiB`).join(", ")}; check CONFIG_MMU_PAGE_SIZE.`,
      });
    }
    return size;
  }
  const inferred = sizes.find((size) => (desc.addr - DESC_IMAGE_OFFSET) % size === 0);
  if (inferred === undefined) {
    throw new EspsyncError("IMAGE_INVALID", `${fileName}: the app description at ${hex32(desc.addr)} is not aligned to any of ${chip}'s MMU page sizes`, {
      hint: "Check the linker script, or set the MMU page size in the project configuration.",
    });
  }
  return inferred;
}

/**
 * Copies of the flash segments with the ELF file's SHA-256 written into the ESP-IDF app
 * description's `app_elf_sha256` (ESP-IDF apps print it at boot and the core dump tools match on it).
 * Returns the segments unchanged when the ELF has no ESP-IDF app description.
 */
export function withElfSha256(flash: readonly ImageSegment[], elf: ElfFile, elfBytes: Uint8Array): { segments: ImageSegment[]; patched: boolean } {
  const desc = elf.sections.find((s) => s.name === IDF_APP_DESC_SECTION);
  const at = desc === undefined ? -1 : flash.findIndex((s) => s.addr <= desc.addr && desc.addr + DESC.sizeBytes <= s.addr + s.data.length);
  const target = flash[at];
  if (desc === undefined || target === undefined) return { segments: [...flash], patched: false };
  const data = Uint8Array.from(target.data);
  data.set(createHash("sha256").update(elfBytes).digest(), desc.addr - target.addr + DESC.elfSha256);
  const segments = [...flash];
  segments[at] = { ...target, data };
  return { segments, patched: true };
}
