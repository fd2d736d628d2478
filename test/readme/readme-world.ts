/**
 * The machine the README's commands run on in the tests: a fresh working directory holding what the
 * user's own build step (`idf.py build`, `cargo build`, …) would have left there, serial ports that
 * are virtual chips (`/dev/ttyUSB0` is a simulated ESP32-C3 with a CP210x bridge in the port list),
 * and host names (`boardhost`, `lab-host`) that resolve to this machine. The commands themselves
 * are run exactly as the README writes them: only these names are given a meaning here.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createVirtualChip, openPort, type OpenPortOptions, type SerialPortListing, type SimChipName, type VirtualChip } from "../../adapters/index.js";
import type { Port } from "../../src/transport/port.js";
import { fakeListing } from "../cli/serve-rig.js";
import { FIRMWARE_DIR, ROOT } from "../cli/sim-rig.js";

/** A board on a serial port of the world. */
export interface WorldBoard {
  readonly path: string;
  readonly chip: VirtualChip;
}

/** Options of {@link ReadmeWorld.plug}. */
export interface PlugOptions {
  readonly mac?: string;
  readonly serialNumber?: string;
  /** What the application prints after ESP-IDF's start-up lines. */
  readonly appOutput?: string[];
  /** Whether the port list shows it as an ESP board (a known USB-UART bridge; default true). */
  readonly likelyEsp?: boolean;
}

/** One README section's machine. */
export class ReadmeWorld {
  /** The working directory the commands run in (the repository's fixtures and build are linked in). */
  readonly dir = mkdtempSync(path.join(tmpdir(), "espsync-readme-"));
  /** Environment of the commands (the CI job's variables, a private digest cache). */
  readonly env: Record<string, string> = { ESPSYNC_CACHE_DIR: path.join(this.dir, ".cache") };
  private readonly boards = new Map<string, VirtualChip>();
  private readonly listing: SerialPortListing[] = [];
  private readonly hosts = new Map<string, string>();

  constructor() {
    for (const name of ["fixtures", "dist", "package.json", "node_modules"]) symlinkSync(path.join(ROOT, name), path.join(this.dir, name));
  }

  /** Plugs a virtual `chip` in at serial port `devicePath` (a CP210x board in the port list). */
  plug(devicePath: string, chip: SimChipName, o: PlugOptions = {}): VirtualChip {
    const board = createVirtualChip({
      chip,
      flashSizeBytes: 0x400000,
      seed: this.boards.size + 1,
      ...(o.mac !== undefined && { mac: o.mac }),
      ...(o.appOutput !== undefined && { appOutput: o.appOutput }),
    });
    this.boards.set(devicePath, board);
    this.listing.push({ ...fakeListing(devicePath, o.serialNumber ?? `000${this.boards.size}`), likelyEsp: o.likelyEsp ?? true });
    return board;
  }

  /** The board at `devicePath`. */
  board(devicePath: string): VirtualChip {
    const board = this.boards.get(devicePath);
    if (!board) throw new Error(`no board at ${devicePath} in this README world`);
    return board;
  }

  /**
   * Makes a README address reach this machine: `name` a host name (`boardhost`: resolves to
   * 127.0.0.1) or a `host:port` (`127.0.0.1:5555`: reaches `to`, where the test's server listens).
   */
  route(name: string, to = "127.0.0.1"): void {
    this.hosts.set(name, to);
  }

  /** The port opener the commands use: device paths are the plugged boards, README hosts are local. */
  readonly openPort = (url: string, options?: OpenPortOptions): Port => {
    const board = this.boards.get(url);
    if (board) return openPort(`sim:${board.options.chip}`, { ...options, chip: board });
    const remote = /^(socket|rfc2217):\/\/([^:/]+)(:\d+)?(.*)$/.exec(url);
    if (remote) {
      const [, scheme, host, port = "", rest] = remote;
      const hostPort = this.hosts.get(`${host}${port}`);
      if (hostPort !== undefined) return openPort(`${scheme}://${hostPort}${rest}`, options);
      const address = this.hosts.get(host ?? "");
      if (address !== undefined) return openPort(`${scheme}://${address}${port}${rest}`, options);
    }
    return openPort(url, options);
  };

  /** The port list the commands see. */
  readonly listSerialPorts = async (): Promise<SerialPortListing[]> => [...this.listing];

  /** Absolute path of `name` in the working directory. */
  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** Copies `source` to `name` in the working directory (creating folders). */
  put(name: string, source: string): void {
    mkdirSync(path.dirname(this.file(name)), { recursive: true });
    copyFileSync(source, this.file(name));
  }

  /** Writes `text` to `name` in the working directory (creating folders). */
  write(name: string, text: string | Uint8Array): void {
    mkdirSync(path.dirname(this.file(name)), { recursive: true });
    writeFileSync(this.file(name), text);
  }
}

/** ESP-IDF's hello_world (v5.2.2) for `chip`, as published: bootloader, partition table, app. */
export function helloWorld(chip: string): { bootloader: string; table: string; app: string } {
  const dir = path.join(FIRMWARE_DIR, "idf-hello-v5.2", chip);
  return { bootloader: path.join(dir, "bootloader.bin"), table: path.join(dir, "partition-table.bin"), app: path.join(dir, "hello_world.bin") };
}

/** The chips whose published hello_world builds the README tests use. */
export type IdfChip = "esp32" | "esp32c3" | "esp32s3";

/** Where ESP-IDF puts the bootloader on the chips these tests build for. */
const BOOTLOADER_OFFSET: Record<string, number> = { esp32: 0x1000, esp32c3: 0x0, esp32s3: 0x0 };
/** The flash frequency the published builds were made with (their bootloader headers say so). */
const FLASH_FREQ: Record<string, string> = { esp32: "40m", esp32c3: "80m", esp32s3: "80m" };

/** Leaves in `world` what `idf.py build` leaves in `build/` for hello_world (ESP-IDF v5.2's layout and flasher_args.json). */
export function idfBuild(world: ReadmeWorld, chip: IdfChip = "esp32c3", dir = "build"): void {
  const hello = helloWorld(chip);
  const boot = `0x${(BOOTLOADER_OFFSET[chip] ?? 0).toString(16)}`;
  world.put(`${dir}/bootloader/bootloader.bin`, hello.bootloader);
  world.put(`${dir}/partition_table/partition-table.bin`, hello.table);
  world.put(`${dir}/hello_world.bin`, hello.app);
  const freq = FLASH_FREQ[chip] ?? "80m";
  const settings = { flash_mode: "dio", flash_size: "2MB", flash_freq: freq };
  world.write(
    `${dir}/flasher_args.json`,
    JSON.stringify(
      {
        write_flash_args: ["--flash_mode", "dio", "--flash_size", "2MB", "--flash_freq", freq],
        flash_settings: settings,
        flash_files: { [boot]: "bootloader/bootloader.bin", "0x8000": "partition_table/partition-table.bin", "0x10000": "hello_world.bin" },
        bootloader: { offset: boot, file: "bootloader/bootloader.bin", encrypted: "false" },
        app: { offset: "0x10000", file: "hello_world.bin", encrypted: "false" },
        "partition-table": { offset: "0x8000", file: "partition_table/partition-table.bin", encrypted: "false" },
        extra_esptool_args: { after: "hard_reset", before: "default_reset", stub: true, chip },
      },
      null,
      4,
    ),
  );
}

/** The bytes `idf.py build` put at each flash address (what a board holds after a correct flash). */
export function idfBuildImages(chip: IdfChip = "esp32c3"): Array<{ addr: number; bytes: Buffer }> {
  const hello = helloWorld(chip);
  return [
    { addr: BOOTLOADER_OFFSET[chip] ?? 0, bytes: readFileSync(hello.bootloader) },
    { addr: 0x8000, bytes: readFileSync(hello.table) },
    { addr: 0x10000, bytes: readFileSync(hello.app) },
  ];
}

/** Length of the ESP image at the start of `bytes`: header, segments, checksum padding, appended SHA-256 (read here, not by espsync). */
export function imageLength(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 24;
  for (let i = 0; i < (bytes[1] ?? 0); i++) at += 8 + view.getUint32(at + 4, true);
  at += 16 - (at % 16); // checksum byte in the last byte of a 16-byte row
  return at + (bytes[23] === 1 ? 32 : 0);
}

/** A partition table as ESP-IDF's single-app CSV writes it (nvs, phy_init, a 1 MiB factory app at 0x10000). */
export const SINGLE_APP_CSV = "# Name, Type, SubType, Offset, Size, Flags\nnvs, data, nvs, 0x9000, 0x6000,\nphy_init, data, phy, 0xf000, 0x1000,\nfactory, app, factory, 0x10000, 1M,\n";
