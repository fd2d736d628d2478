/** Every command the CLI offers, in the order `--help` lists them. */
import type { CommandSpec } from "../command.js";
import { elf2imageCommand } from "./elf2image.js";
import { eraseRegionCommand } from "./erase-region.js";
import { eraseCommand } from "./erase.js";
import { flashCommand } from "./flash.js";
import { imageInfoCommand } from "./image-info.js";
import { infoCommand } from "./info.js";
import { mergeCommand } from "./merge.js";
import { monitorCommand } from "./monitor.js";
import { partitionsCommand } from "./partitions.js";
import { portsCommand } from "./ports.js";
import { readCommand } from "./read.js";
import { serveCommand } from "./serve.js";
import { simCommand } from "./sim.js";
import { verifyCommand } from "./verify.js";

export const COMMANDS: readonly CommandSpec[] = [
  flashCommand,
  verifyCommand,
  readCommand,
  eraseCommand,
  eraseRegionCommand,
  infoCommand,
  imageInfoCommand,
  elf2imageCommand,
  partitionsCommand,
  mergeCommand,
  monitorCommand,
  portsCommand,
  simCommand,
  serveCommand,
];
