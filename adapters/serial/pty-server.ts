/**
 * Exposes a device (`SerialEndpoint`, e.g. the virtual chip) as a pseudo-terminal, so programs that
 * only open serial devices (esptool, ser2net, a serial monitor, espsync itself through `serialport`)
 * can talk to it. `socat` creates the pty and bridges it to a private raw TCP server on 127.0.0.1;
 * no compiled module is needed. A pty has no modem-control lines: DTR/RTS do not reach the endpoint.
 */
import { spawn } from "node:child_process";
import { EspsyncError } from "../../src/errors.js";
import type { SerialEndpoint } from "../../src/transport/endpoint.js";
import { serveTcp } from "../tcp/tcp-server.js";

/** A served pseudo-terminal. */
export interface ServedPty {
  /** The terminal device to open, e.g. `/dev/pts/3`. */
  readonly path: string;
  /** Stops socat and the bridge; resolves when both are gone. */
  close(): Promise<void>;
}

/** Options of {@link servePty}. */
export interface ServePtyOptions {
  /** The socat binary (default `socat` on the PATH). */
  socatPath?: string;
  /** How long to wait for socat to create the pty (default 5000 ms). */
  startTimeoutMs?: number;
}

/** socat's notice naming the pty it made (`socat -d -d`): "N PTY is /dev/pts/3". */
const PTY_NOTICE = /PTY is (\S+)/;

/**
 * Creates a pseudo-terminal whose other end is `endpoint`. Rejects with `UNSUPPORTED` when socat is not
 * installed, `TIMEOUT` when it does not report a pty in time.
 */
export async function servePty(endpoint: SerialEndpoint, options: ServePtyOptions = {}): Promise<ServedPty> {
  const socatPath = options.socatPath ?? "socat";
  const startTimeoutMs = options.startTimeoutMs ?? 5_000;
  const bridge = await serveTcp(endpoint, { host: "127.0.0.1", port: 0 });
  const child = spawn(socatPath, ["-d", "-d", "pty,raw,echo=0", `tcp:127.0.0.1:${bridge.port}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const killTimer = setTimeout(() => child.kill("SIGKILL"), 2_000);
    await exited;
    clearTimeout(killTimer);
    await bridge.close();
  };

  let stderr = "";
  try {
    const path = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new EspsyncError("TIMEOUT", `socat did not create a pseudo-terminal within ${startTimeoutMs} ms`, {
          hint: `What socat said: ${stderr.trim() || "nothing"}`,
        }));
      }, startTimeoutMs);
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (text: string) => {
        stderr += text;
        const match = PTY_NOTICE.exec(stderr);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once("error", (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          err.code === "ENOENT"
            ? new EspsyncError("UNSUPPORTED", `cannot serve a pseudo-terminal: ${socatPath} is not installed`, {
                hint: "Install socat (Debian/Ubuntu: `apt-get install socat`, macOS: `brew install socat`).",
                cause: err,
              })
            : new EspsyncError("INTERNAL", `cannot start ${socatPath}: ${err.message}`, { hint: "Check the socat installation.", cause: err }),
        );
      });
      child.once("close", (code) => {
        clearTimeout(timer);
        reject(new EspsyncError("INTERNAL", `socat exited (code ${code}) before creating a pseudo-terminal`, {
          hint: `What socat said: ${stderr.trim() || "nothing"}`,
        }));
      });
    });
    child.stderr.removeAllListeners("data");
    child.stderr.resume(); // keep draining socat's notices so it never blocks on a full pipe
    return { path, close: onceAsync(stop) };
  } catch (err) {
    await stop();
    throw err;
  }
}

function onceAsync(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
