/**
 * `espsync verify`: compare each board's flash with the images by the chip's digest, list the
 * 4 KiB sectors that differ, write nothing. Exit 4 when anything differs.
 */
import { verify, type VerifyResult } from "../../engine/index.js";
import { EspsyncError, hex32 } from "../../errors.js";
import { readOnlyWork } from "../board-activity.js";
import { plural } from "../../util/plural.js";
import { runBoardCommand, selectBoards } from "../boards.js";
import { withBuildDefaults } from "../build-defaults.js";
import type { CommandSpec } from "../command.js";
import { imagesForBoard } from "../elf-board.js";
import { loadImages, regionName, withImageOptions } from "../image-args.js";

/** At most this many differing sector addresses are listed per region in human output (all in JSON). */
const LISTED_SECTORS = 16;

export const verifyCommand: CommandSpec = {
  command: "verify [pairs..]",
  aliases: ["verify-flash", "verify_flash"],
  describe: "Compare the flash with images by the chip's digest and list differing sectors (exit 4 on a difference)",
  examples: [
    ["espsync verify -p /dev/ttyUSB0 --build build", "check that the board runs this build"],
    ["espsync verify -p auto 0x10000 app.bin", "check one image"],
    ["espsync verify -p auto app.elf", "check that the board runs the image espsync makes from this ELF"],
    ["espsync verify -p auto --build build --json", "machine-readable list of differing sectors"],
  ],
  builder: (y) => withImageOptions(y).option("force", { type: "boolean", default: false, describe: "Accept images meant for a newer chip revision", group: "Flash:" }),
  run: async (args, given) => {
    const images = await loadImages(args, given.globals, given.io);
    const ctx = withBuildDefaults(given, images.flasherArgs);
    const urls = await selectBoards(ctx);
    return runBoardCommand<VerifyResult>(urls, ctx, "verify", "verified", async (board, out) => {
      const boardImages = await imagesForBoard(images, board.device, (line) => out.say(`${board.prefix}note: ${line}`));
      const names = boardImages.regions.map((r) => regionName(r.sourcePath, r.addr));
      let digests = "";
      board.activity.working(readOnlyWork(() => `comparing the flash with the images by digest${digests}`, "unchanged: verify writes nothing"));
      const result = await verify({
        device: board.device,
        images: boardImages,
        force: args.force === true,
        onEvent: (e) => {
          if (e.type !== "hash") return;
          digests = ` (${e.doneQueries} of ${e.queries} digests)`;
          board.progress.status("comparing by digest", `comparing by digest: ${e.doneQueries}/${e.queries}`);
        },
        signal: ctx.io.signal,
      });
      board.progress.clear();
      for (const [i, r] of result.regions.entries()) {
        const name = names[i] ?? regionName(r.sourcePath, r.addr);
        if (r.match) {
          out.say(`${board.prefix}${name}: ${out.paint("matches", "green")} (MD5 ${r.actualMd5})`);
          continue;
        }
        const listed = r.differingSectorAddrs.slice(0, LISTED_SECTORS).map(hex32).join(", ");
        const more = r.differingSectorAddrs.length > LISTED_SECTORS ? `, … ${r.differingSectorAddrs.length - LISTED_SECTORS} more` : "";
        out.result(`${board.prefix}${name}: ${out.paint("differs", "red")} in ${r.differingSectorAddrs.length} of ${plural(Math.ceil(r.sizeBytes / 0x1000), "sector")}: ${listed}${more}`);
      }
      if (result.ok) return { result };
      const bad = result.regions.filter((r) => !r.match);
      const sectors = bad.reduce((n, r) => n + r.differingSectorAddrs.length, 0);
      const failure = new EspsyncError("VERIFY_MISMATCH", `${plural(bad.length, "region")} ${bad.length === 1 ? "differs" : "differ"} from the images (${plural(sectors, "sector")}): ${bad.map((r) => regionName(r.sourcePath, r.addr)).join(", ")}`, {
        hint: "Run espsync flash with the same images to write the differing sectors",
      });
      return { result, failure };
    });
  },
};
