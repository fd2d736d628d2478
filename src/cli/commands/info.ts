/**
 * `espsync info`: what the chip says about itself — name, revision, features, crystal, MAC, flash
 * id and size, security state. Nothing is written.
 */
import type { ChipDescription } from "../../protocol/device.js";
import { runBoardCommand, selectBoards } from "../boards.js";
import type { CommandSpec } from "../command.js";
import { chipToJson, type ChipJson } from "../json-shapes.js";
import { formatBytes, formatHex, formatRevision } from "../render/format.js";
import { renderTable } from "../render/table.js";

/** The chip as `field  value` lines. */
export function chipLines(chip: ChipDescription): string[] {
  const s = chip.security;
  const security =
    s === undefined
      ? "not reported (this ROM has no GET_SECURITY_INFO)"
      : [
          `secure boot ${s.secureBoot ? "on" : "off"}`,
          `flash encryption ${s.flashEncryption ? "on" : "off"} (FLASH_CRYPT_CNT ${formatHex(s.flashCryptCount, 2)})`,
          `secure download mode ${s.secureDownloadMode ? "on" : "off"}`,
        ].join(", ");
  const rows: [string, string][] = [
    ["Chip", chip.chip],
    ["Description", chip.description],
    ["Revision", formatRevision(chip.revisionFull)],
    ["Features", chip.features.join(", ") || "-"],
    ["Crystal", `${chip.crystalMhz} MHz`],
    ["MAC", chip.mac],
    ["Flash id", `${formatHex(chip.flashId, 6)} (manufacturer ${formatHex(chip.flashId & 0xff, 2)}, device ${formatHex((chip.flashId >>> 8) & 0xffff, 4)})`],
    ["Flash size", chip.flashSizeBytes > 0 ? formatBytes(chip.flashSizeBytes) : "unknown"],
    ["Security", security],
    ["Loader", chip.stub ? "ROM; flasher stub for writes and reads" : "ROM only"],
  ];
  return renderTable(["Field", "Value"], rows).slice(1);
}

export const infoCommand: CommandSpec = {
  command: "info",
  aliases: ["chip-id", "chip_id"],
  describe: "Show the chip: name, revision, features, crystal, MAC, flash id and size, security state",
  examples: [
    ["espsync info -p /dev/ttyUSB0", "identify the board on a port"],
    ["espsync info -p auto --json", "the same as JSON"],
  ],
  run: async (_args, ctx) => {
    const urls = await selectBoards(ctx);
    // Connecting is the whole of the board work (its Ctrl-C notices come from there): what the
    // chip said is printed at once.
    return runBoardCommand<ChipJson>(urls, ctx, "info", "identified", async (board, out) => {
      board.progress.clear();
      for (const line of chipLines(board.device.chip)) out.result(`${board.prefix}${line}`);
      return { result: chipToJson(board.device.chip) };
    });
  },
};
