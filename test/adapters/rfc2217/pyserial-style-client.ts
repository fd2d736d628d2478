/**
 * An RFC 2217 client that behaves like pyserial's `rfc2217://` (what the Python esptool uses): every
 * COM-PORT request — each DTR or RTS change on its own — is sent alone and the client waits for its
 * acknowledgement before sending the next. Written from RFC 2217 and pyserial's behaviour, without
 * espsync's telnet code, so it checks the server independently.
 */
import { connect, type Socket } from "node:net";

const IAC = 255;
const SB = 250;
const SE = 240;
const WILL = 251;
const WONT = 252;
const DO = 253;
const DONT = 254;
const OPT = { BINARY: 0, SGA: 3, COM_PORT: 44 } as const;
/** COM-PORT-OPTION client subcommands (RFC 2217); the server answers with +100. */
const CPO = { SET_BAUDRATE: 1, SET_DATASIZE: 2, SET_PARITY: 3, SET_STOPSIZE: 4, SET_CONTROL: 5, PURGE_DATA: 12 } as const;
const CONTROL = { DTR_ON: 8, DTR_OFF: 9, RTS_ON: 11, RTS_OFF: 12 } as const;

/** Escapes data bytes for telnet (0xFF doubled). */
function escape(bytes: Uint8Array): Buffer {
  const out: number[] = [];
  for (const b of bytes) out.push(...(b === IAC ? [IAC, IAC] : [b]));
  return Buffer.from(out);
}

/** A connected pyserial-style client; see the module comment. */
export class PyserialStyleClient {
  /** Every data byte the device sent. */
  readonly received: number[] = [];
  /** Every COM-PORT request in the order it was sent, as `SET_CONTROL 8` etc. */
  readonly sent: string[] = [];
  private readonly waiters: { sub: number; resolve: (value: number[]) => void }[] = [];
  private agreed = false;
  private onAgreed: (() => void) | undefined;
  private state: "data" | "iac" | "cmd" | "sb" | "sb-iac" = "data";
  private command = 0;
  private sb: number[] = [];
  private readonly weWill = new Set<number>([OPT.BINARY, OPT.SGA, OPT.COM_PORT]);
  private readonly theyMay = new Set<number>([OPT.BINARY, OPT.SGA]);
  private closed = false;

  private constructor(private readonly socket: Socket, private readonly ackTimeoutMs: number) {
    socket.on("data", (chunk: Buffer) => this.parse(chunk));
    socket.on("close", () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.resolve([]);
    });
    socket.on("error", () => undefined);
  }

  /**
   * Connects and opens the port as pyserial does: negotiation, SET-BAUDRATE and 8N1 (each
   * acknowledged), then DTR and RTS asserted (pyserial's defaults), then a purge of the input.
   */
  static async open(port: number, host = "127.0.0.1", ackTimeoutMs = 3_000): Promise<PyserialStyleClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, host, () => resolve(s));
      s.once("error", reject);
    });
    socket.setNoDelay(true);
    const client = new PyserialStyleClient(socket, ackTimeoutMs);
    const agreed = new Promise<void>((resolve, reject) => {
      client.onAgreed = resolve;
      setTimeout(() => reject(new Error("the server did not agree to COM-PORT-OPTION")), ackTimeoutMs);
    });
    socket.write(Buffer.from([IAC, WILL, OPT.BINARY, IAC, DO, OPT.BINARY, IAC, WILL, OPT.SGA, IAC, DO, OPT.SGA, IAC, WILL, OPT.COM_PORT]));
    await agreed;
    await client.request(CPO.SET_BAUDRATE, [0, 1, 0xc2, 0]); // 115200
    await client.request(CPO.SET_DATASIZE, [8]);
    await client.request(CPO.SET_PARITY, [1]);
    await client.request(CPO.SET_STOPSIZE, [1]);
    await client.setDTR(true);
    await client.setRTS(true);
    await client.request(CPO.PURGE_DATA, [1]);
    return client;
  }

  /** pyserial's `dtr = on`: one SET-CONTROL, then wait for its acknowledgement. */
  setDTR(on: boolean): Promise<number[]> {
    return this.request(CPO.SET_CONTROL, [on ? CONTROL.DTR_ON : CONTROL.DTR_OFF]);
  }

  /** pyserial's `rts = on`. */
  setRTS(on: boolean): Promise<number[]> {
    return this.request(CPO.SET_CONTROL, [on ? CONTROL.RTS_ON : CONTROL.RTS_OFF]);
  }

  /**
   * esptool's ClassicReset (esp_pylib `classic_bootloader_reset`) through pyserial, including
   * esptool's habit of repeating DTR after every RTS change (its `_setRTS`): EN low, 100 ms, IO0 low
   * and EN released, 50 ms, IO0 released.
   */
  async classicReset(): Promise<void> {
    const setRTS = async (on: boolean, dtr: boolean): Promise<void> => {
      await this.setRTS(on);
      await this.setDTR(dtr);
    };
    await this.setDTR(false);
    await setRTS(true, false);
    await sleep(100);
    await this.setDTR(true);
    await setRTS(false, true);
    await sleep(50);
    await this.setDTR(false);
  }

  /** Sends bytes to the device. */
  write(bytes: Uint8Array): void {
    this.socket.write(escape(bytes));
  }

  /** The device's output as text (latin1). */
  text(): string {
    return Buffer.from(this.received).toString("latin1");
  }

  /** Closes the connection. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 500).unref();
    });
  }

  /** Sends one COM-PORT request and waits for the server's answer (rejects after the timeout). */
  private request(sub: number, value: number[]): Promise<number[]> {
    this.sent.push(`${sub} ${value.join(",")}`);
    const answer = new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to COM-PORT ${sub} ${value.join(",")} within ${this.ackTimeoutMs} ms`)), this.ackTimeoutMs);
      this.waiters.push({
        sub: sub + 100,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
      });
    });
    const body = [OPT.COM_PORT, sub, ...value].flatMap((b) => (b === IAC ? [IAC, IAC] : [b]));
    this.socket.write(Buffer.from([IAC, SB, ...body, IAC, SE]));
    return answer;
  }

  private parse(chunk: Buffer): void {
    for (const b of chunk) {
      switch (this.state) {
        case "data":
          if (b === IAC) this.state = "iac";
          else this.received.push(b);
          break;
        case "iac":
          if (b === IAC) {
            this.received.push(IAC);
            this.state = "data";
          } else if (b === SB) {
            this.sb = [];
            this.state = "sb";
          } else if (b === WILL || b === WONT || b === DO || b === DONT) {
            this.command = b;
            this.state = "cmd";
          } else this.state = "data";
          break;
        case "cmd":
          this.negotiate(this.command, b);
          this.state = "data";
          break;
        case "sb":
          if (b === IAC) this.state = "sb-iac";
          else this.sb.push(b);
          break;
        case "sb-iac":
          if (b === SE) {
            this.subnegotiation(this.sb);
            this.state = "data";
          } else {
            this.sb.push(b); // IAC IAC inside a subnegotiation
            this.state = "sb";
          }
          break;
      }
    }
  }

  private negotiate(command: number, option: number): void {
    if (command === DO) {
      if (option === OPT.COM_PORT && !this.agreed) {
        this.agreed = true;
        this.onAgreed?.();
      }
      if (!this.weWill.has(option)) this.socket.write(Buffer.from([IAC, WONT, option]));
    } else if (command === WILL) {
      if (!this.theyMay.has(option)) this.socket.write(Buffer.from([IAC, DONT, option]));
    }
  }

  private subnegotiation(bytes: number[]): void {
    if (bytes[0] !== OPT.COM_PORT) return;
    const sub = bytes[1] ?? -1;
    const at = this.waiters.findIndex((w) => w.sub === sub);
    if (at >= 0) this.waiters.splice(at, 1)[0]?.resolve(bytes.slice(2));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
