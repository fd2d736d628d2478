/**
 * A build's own connection settings: ESP-IDF writes `extra_esptool_args` (`chip`, `before`,
 * `after`, `stub`) into flasher_args.json, e.g. `after: "no_reset"` for boards that must not be
 * reset. They replace espsync's built-in defaults, never what the user chose: command line >
 * ESPSYNC_* environment > flasher_args.json > built-in default.
 */
import { EspsyncError } from "../errors.js";
import type { AfterMode, BeforeMode, ChipName } from "../protocol/device.js";
import type { CommandContext } from "./command.js";
import { AFTER_MODES, BEFORE_MODES, type GlobalOptions } from "./global-options.js";

/** What a build says about connecting (each field absent when the build does not say). */
export interface BuildConnectionDefaults {
  readonly chip?: ChipName | undefined;
  readonly before?: string | undefined;
  readonly after?: string | undefined;
  readonly stub?: boolean | undefined;
}

/**
 * `globals` with every setting the user left at its built-in default replaced by the build's.
 * Throws FLASHER_ARGS_INVALID for a reset mode espsync does not know (only when it would be used).
 */
export function applyBuildDefaults(globals: GlobalOptions, build: BuildConnectionDefaults): GlobalOptions {
  const { userSet } = globals;
  return {
    ...globals,
    ...(!userSet.chip && build.chip !== undefined && { chip: build.chip }),
    ...(!userSet.before && build.before !== undefined && { before: fileMode("before", build.before, BEFORE_MODES) }),
    ...(!userSet.after && build.after !== undefined && { after: fileMode("after", build.after, AFTER_MODES) }),
    ...(!userSet.stub && build.stub !== undefined && { stub: build.stub }),
  };
}

/** {@link applyBuildDefaults} on a command's context, saying with --verbose what the build changed. */
export function withBuildDefaults(ctx: CommandContext, build: BuildConnectionDefaults | undefined): CommandContext {
  if (build === undefined) return ctx;
  const globals = applyBuildDefaults(ctx.globals, build);
  const changed = (["chip", "before", "after", "stub"] as const).filter((key) => globals[key] !== ctx.globals[key]);
  for (const key of changed) ctx.detail(`flasher_args.json: ${key} ${String(globals[key])}`);
  return changed.length === 0 ? ctx : { ...ctx, globals };
}

function fileMode<T extends BeforeMode | AfterMode>(key: "before" | "after", value: string, allowed: readonly T[]): T {
  const normalised = value.toLowerCase().replace(/-/g, "_");
  if ((allowed as readonly string[]).includes(normalised)) return normalised as T;
  throw new EspsyncError("FLASHER_ARGS_INVALID", `flasher_args.json: extra_esptool_args.${key} "${value}" is not a mode espsync knows`, {
    hint: `Override it with --${key} (one of ${allowed.map((a) => a.replace(/_/g, "-")).join(", ")}) or rebuild the project`,
  });
}
