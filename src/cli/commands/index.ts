/** Every command the CLI offers, in the order `--help` lists them. */
import type { CommandSpec } from "../command.js";
import { simCommand } from "./sim.js";

export const COMMANDS: readonly CommandSpec[] = [simCommand];
