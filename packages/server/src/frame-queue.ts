/**
 * Frames a connection holds before processing them (before it is accepted, or while its
 * peer is behind), in arrival order, with their size: a text frame counts its length in
 * characters, a binary frame its bytes.
 */
export class FrameQueue {
  readonly #frames: Array<string | Uint8Array> = [];
  #size = 0;

  /** How many frames wait. */
  get length(): number {
    return this.#frames.length;
  }

  /** Their total size, in characters and bytes. */
  get size(): number {
    return this.#size;
  }

  push(frame: string | Uint8Array): void {
    this.#frames.push(frame);
    this.#size += frame.length;
  }

  /** The oldest frame; call only when `length > 0`. */
  shift(): string | Uint8Array {
    const frame = this.#frames.shift() as string | Uint8Array;
    this.#size -= frame.length;
    return frame;
  }
}
