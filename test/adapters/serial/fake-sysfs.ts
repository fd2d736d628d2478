/** Builds a fake sysfs tree in a temporary directory from a JSON description (see fixtures/sysfs). */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

interface SysfsDescription {
  dirs: string[];
  files: Record<string, string>;
  links: Record<string, string>;
}

/** The fixture directory of this repository. */
export const SYSFS_FIXTURES = resolve(import.meta.dirname, "../../../fixtures/sysfs");

/** Creates the tree described by `fixtures/sysfs/<name>.json`; returns its root and a remover. */
export async function buildFakeSysfs(name: string): Promise<{ root: string; remove(): Promise<void> }> {
  const description = JSON.parse(await readFile(join(SYSFS_FIXTURES, `${name}.json`), "utf8")) as SysfsDescription;
  const root = await mkdtemp(join(tmpdir(), "espsync-sysfs-"));
  for (const dir of description.dirs) await mkdir(join(root, dir), { recursive: true });
  for (const [path, content] of Object.entries(description.files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), `${content}\n`);
  }
  for (const [path, target] of Object.entries(description.links)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await symlink(target, join(root, path));
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
