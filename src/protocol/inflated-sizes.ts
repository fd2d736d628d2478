/**
 * How many flash bytes each compressed block will produce once the chip inflates it. A block's
 * timeout must scale with the flash it erases and programs (PROTOCOL.md §10), and a 16 KiB block
 * of a compressible image can inflate to far more than 64 KiB.
 */
import { constants, createInflate } from "node:zlib";

/**
 * Uncompressed bytes produced by each `blockBytes`-sized slice of the zlib stream `compressed`,
 * in order. Rejects when the stream is not valid zlib.
 */
export async function inflatedBlockSizes(compressed: Uint8Array, blockBytes: number): Promise<number[]> {
  const inflate = createInflate();
  let total = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  inflate.on("data", (chunk: Buffer) => {
    total += chunk.length;
  });
  inflate.on("error", (err) => {
    failure = err;
    wake?.();
  });
  const sizes: number[] = [];
  try {
    let before = 0;
    for (let offset = 0; offset < compressed.length; offset += blockBytes) {
      const block = compressed.subarray(offset, Math.min(offset + blockBytes, compressed.length));
      await new Promise<void>((resolve) => {
        wake = resolve;
        inflate.write(block);
        // The flush callback runs after the block was processed and its output emitted.
        inflate.flush(constants.Z_SYNC_FLUSH, () => resolve());
      });
      if (failure) throw failure;
      sizes.push(total - before);
      before = total;
    }
  } finally {
    inflate.destroy();
  }
  return sizes;
}
