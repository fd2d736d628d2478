/**
 * Listener bookkeeping shared by the adapters' `Port` implementations: data listeners receive every
 * chunk in order, close listeners are called exactly once. It lives beside the `Port` contract so every
 * adapter (serial, TCP, RFC 2217, the virtual chip) keeps the contract's listener guarantees the same way.
 */

/** The data and close listeners of one port, with the "close fires once" rule built in. */
export class PortListeners {
  private readonly data = new Set<(chunk: Uint8Array) => void>();
  private readonly close = new Set<(error?: Error) => void>();
  private closed = false;

  /** Adds a data listener; returns its remover. */
  addData(listener: (chunk: Uint8Array) => void): () => void {
    this.data.add(listener);
    return () => this.data.delete(listener);
  }

  /** Adds a close listener; returns its remover. */
  addClose(listener: (error?: Error) => void): () => void {
    this.close.add(listener);
    return () => this.close.delete(listener);
  }

  /** Delivers a chunk to every data listener (a listener that throws does not starve the others). */
  emitData(chunk: Uint8Array): void {
    for (const listener of [...this.data]) {
      try {
        listener(chunk);
      } catch {
        // A consumer's bug must not break the byte stream for the others.
      }
    }
  }

  /** Calls every close listener once; later calls are ignored. */
  emitClose(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of [...this.close]) {
      try {
        listener(error);
      } catch {
        // Same reason as in emitData.
      }
    }
  }

  /** Allows `emitClose` to fire again after the port was reopened. */
  reset(): void {
    this.closed = false;
  }
}

/** Copies a Node Buffer (or any view) into a plain Uint8Array the consumer may keep. */
export function toBytes(chunk: Uint8Array): Uint8Array {
  return new Uint8Array(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength));
}
