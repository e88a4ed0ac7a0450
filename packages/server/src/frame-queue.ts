/**
 * Frames a connection holds before processing them (before it is accepted, or while its
 * peer is behind), in arrival order, with their size: a text frame counts its length in
 * characters, a binary frame (`undefined`) nothing.
 */
export class FrameQueue {
  readonly #frames: Array<string | undefined> = [];
  #size = 0;

  /** How many frames wait. */
  get length(): number {
    return this.#frames.length;
  }

  /** Their total size, in characters. */
  get size(): number {
    return this.#size;
  }

  push(frame: string | undefined): void {
    this.#frames.push(frame);
    this.#size += frame?.length ?? 0;
  }

  /** The oldest frame; call only when `length > 0`. */
  shift(): string | undefined {
    const frame = this.#frames.shift();
    this.#size -= frame?.length ?? 0;
    return frame;
  }
}
