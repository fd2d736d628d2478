/**
 * Starts a real ser2net (PROTOCOL.md §9) in front of a serial device, for the RFC 2217 tests. The test
 * starts and stops the process itself; ser2net listens on a free port on 127.0.0.1.
 */
import { spawn, spawnSync } from "node:child_process";
import { connect, createServer, type AddressInfo } from "node:net";

/** True when the ser2net binary is on the PATH. */
export const hasSer2net = spawnSync("ser2net", ["-v"], { stdio: "ignore" }).error === undefined;

/** A running ser2net. */
export interface Ser2net {
  readonly port: number;
  close(): Promise<void>;
}

/** A TCP port nothing listens on right now (bound once, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs `ser2net -n -u` with an RFC 2217 accepter on 127.0.0.1 for `device`; resolves once it accepts. */
export async function startSer2net(device: string, timeoutMs = 5_000): Promise<Ser2net> {
  const port = await freePort();
  const args = [
    "-c", "/dev/null", // ignore any system configuration
    "-Y", "connection: &espsync",
    "-Y", `  accepter: telnet(rfc2217),tcp,127.0.0.1,${port}`,
    "-Y", `  connector: serialdev,${device},115200n81,local`,
  ];
  return runSer2net(args, port, timeoutMs);
}

/** Runs `ser2net -n -u -c configFile` (a ser2net.yaml); resolves once it accepts on `port`. */
export function startSer2netConfig(configFile: string, port: number, timeoutMs = 5_000): Promise<Ser2net> {
  return runSer2net(["-c", configFile], port, timeoutMs);
}

async function runSer2net(configArgs: readonly string[], port: number, timeoutMs: number): Promise<Ser2net> {
  const child = spawn("ser2net", ["-n", "-u", ...configArgs], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (t: Buffer) => (output += t.toString()));
  child.stderr.on("data", (t: Buffer) => (output += t.toString()));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const kill = setTimeout(() => child.kill("SIGKILL"), 2_000);
    await exited;
    clearTimeout(kill);
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`ser2net did not start listening on ${port}: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { port, close };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
