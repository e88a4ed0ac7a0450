// Looks at a MessagePack frame before it is decoded, as `frame-scan.ts` in the server does
// for JSON text: how deep it nests, how many values each message holds, how many messages
// a batch holds, whether every length prefix fits in the frame, and whether it uses
// anything the protocol does not accept (extension types, non-string map keys, a
// `__proto__` key). One pass over the bytes, skipping strings and byte strings by their
// length, allocating no value: a str32 or array32 that claims 4 GiB is refused by
// comparing its length with what is left of the frame, before anything is made for it.

/** What {@link scanMsgpack} found; `OK` lets the frame be decoded. */
export const MSGPACK_VERDICT = {
  /** Within every limit: decode it. */
  OK: 0,
  /** Arrays and maps nest deeper than `maxDepth`. */
  TOO_DEEP: 1,
  /** One message holds more than `maxValues` array elements and map entries. */
  TOO_MANY_VALUES: 2,
  /** A batch (a top-level array) longer than `maxBatchLength`. */
  BATCH_TOO_LONG: 3,
  /** Not MessagePack: a length past the end (a truncated frame), bytes left over, or 0xc1. */
  MALFORMED: 4,
  /** An extension type other than `undefined` (fixext 1, type 0) and the timestamp (type -1). */
  EXTENSION: 5,
  /** A map key that is not a string, or that is `__proto__`. */
  BAD_KEY: 6,
} as const;

/** One of {@link MSGPACK_VERDICT}'s values. */
export type MsgpackVerdict = (typeof MSGPACK_VERDICT)[keyof typeof MSGPACK_VERDICT];

/** The limits {@link scanMsgpack} checks. */
export interface MsgpackScanLimits {
  /** Deepest nesting of arrays and maps, counting a batch's own array. */
  maxDepth: number;
  /** Most array elements plus map entries in one message (each member of a batch on its own). */
  maxValues: number;
  /** Most messages in a batch. */
  maxBatchLength: number;
}

/** What {@link scanMsgpack} reports. */
export interface MsgpackScan {
  verdict: MsgpackVerdict;
  /** Messages in the frame: the length of a batch, else 1. */
  count: number;
  /**
   * Where the value of a single message's `id` starts (read it with {@link readMsgpackId}),
   * when the scan got that far; -1 otherwise, and always for a batch.
   */
  idAt: number;
}

// The verdicts as plain constants: a module-level destructuring would keep this file in
// every bundle that imports core, used or not.
const OK = 0;
const TOO_DEEP = 1;
const TOO_MANY_VALUES = 2;
const BATCH_TOO_LONG = 3;
const MALFORMED = 4;
const EXTENSION = 5;
const BAD_KEY = 6;

/** `__proto__` as UTF-8: the one key refused, as it would set an object's prototype. */
const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f];

class Scanner {
  pos = 0;
  values = 0;
  /** The depth at which a message's own map sits: 1, or 2 inside a batch. */
  messageDepth = 1;
  idAt = -1;
  /** When collecting: the exact text of each message's 64-bit integer id, by position. */
  ids: Array<string | undefined> | undefined;
  member = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly limits: MsgpackScanLimits,
  ) {}

  /** Skips `length` bytes, if the frame has them. */
  skip(length: number): MsgpackVerdict {
    if (length > this.bytes.length - this.pos) return MALFORMED;
    this.pos += length;
    return OK;
  }

  /** An unsigned big-endian length of `size` bytes (1, 2 or 4) at the position, or -1. */
  length(size: number): number {
    const bytes = this.bytes;
    const at = this.pos;
    if (at + size > bytes.length) return -1;
    this.pos = at + size;
    if (size === 1) return bytes[at] as number;
    if (size === 2) return ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
    return (
      (bytes[at] as number) * 0x1000000 +
      (((bytes[at + 1] as number) << 16) |
        ((bytes[at + 2] as number) << 8) |
        (bytes[at + 3] as number))
    );
  }

  /** One value at the position, of a container at `depth` (0 for the frame itself). */
  value(depth: number): MsgpackVerdict {
    const bytes = this.bytes;
    if (this.pos >= bytes.length) return MALFORMED;
    const type = bytes[this.pos++] as number;
    // positive and negative fixint, nil, false, true
    if (type <= 0x7f || type >= 0xe0 || type === 0xc0 || type === 0xc2 || type === 0xc3) return OK;
    if (type <= 0x8f) return this.map(type & 0x0f, depth + 1);
    if (type <= 0x9f) return this.array(type & 0x0f, depth + 1);
    if (type <= 0xbf) return this.skip(type & 0x1f);
    switch (type) {
      case 0xc4: // bin 8, 16, 32
      case 0xd9: // str 8, 16, 32
        return this.sized(1);
      case 0xc5:
      case 0xda:
        return this.sized(2);
      case 0xc6:
      case 0xdb:
        return this.sized(4);
      case 0xc7: // ext 8: only a 12-byte timestamp
        return this.ext(this.length(1));
      case 0xc8: // ext 16, ext 32
      case 0xc9:
        return EXTENSION;
      case 0xcc: // uint 8, int 8
      case 0xd0:
        return this.skip(1);
      case 0xcd:
      case 0xd1:
        return this.skip(2);
      case 0xca: // float 32
      case 0xce:
      case 0xd2:
        return this.skip(4);
      case 0xcb: // float 64, uint 64, int 64
      case 0xcf:
      case 0xd3:
        return this.skip(8);
      case 0xd4: // fixext 1: only type 0, which msgpackr writes for `undefined`
        return this.fixext(1, 0);
      case 0xd6: // fixext 4 and 8: only the timestamp (type -1)
        return this.fixext(4, 0xff);
      case 0xd7:
        return this.fixext(8, 0xff);
      case 0xdc: // array 16, 32
        return this.array(this.length(2), depth + 1);
      case 0xdd:
        return this.array(this.length(4), depth + 1);
      case 0xde: // map 16, 32
        return this.map(this.length(2), depth + 1);
      case 0xdf:
        return this.map(this.length(4), depth + 1);
      default: // 0xc1 (never used), fixext 2 and 16
        return type === 0xc1 ? MALFORMED : EXTENSION;
    }
  }

  /** A string or byte string whose length takes `size` bytes. */
  sized(size: number): MsgpackVerdict {
    const length = this.length(size);
    return length < 0 ? MALFORMED : this.skip(length);
  }

  fixext(size: number, allowed: number): MsgpackVerdict {
    if (this.pos >= this.bytes.length) return MALFORMED;
    if (this.bytes[this.pos] !== allowed) return EXTENSION;
    return this.skip(1 + size);
  }

  ext(length: number): MsgpackVerdict {
    if (length < 0 || this.pos >= this.bytes.length) return MALFORMED;
    if (length !== 12 || this.bytes[this.pos] !== 0xff) return EXTENSION;
    return this.skip(1 + length);
  }

  /** Counts `count` more values against the message's budget. */
  counted(count: number, depth: number): MsgpackVerdict {
    if (depth > this.limits.maxDepth) return TOO_DEEP;
    this.values += count;
    return this.values > this.limits.maxValues ? TOO_MANY_VALUES : OK;
  }

  array(count: number, depth: number): MsgpackVerdict {
    // Each element takes a byte at least: a count past what is left is a lie.
    if (count < 0 || count > this.bytes.length - this.pos) return MALFORMED;
    const counted = this.counted(count, depth);
    if (counted !== OK) return counted;
    for (let index = 0; index < count; index++) {
      const verdict = this.value(depth);
      if (verdict !== OK) return verdict;
    }
    return OK;
  }

  map(count: number, depth: number): MsgpackVerdict {
    if (count < 0 || 2 * count > this.bytes.length - this.pos) return MALFORMED;
    const counted = this.counted(count, depth);
    if (counted !== OK) return counted;
    const isMessage = depth === this.messageDepth;
    for (let index = 0; index < count; index++) {
      const key = this.key();
      if (key < 0) return key === -1 ? MALFORMED : BAD_KEY;
      if (isMessage && key === 1) this.id();
      const verdict = this.value(depth);
      if (verdict !== OK) return verdict;
    }
    return OK;
  }

  /**
   * Skips a map key, which must be a string other than `__proto__`. Returns 1 for `id`,
   * 0 for another key, -1 for a truncated frame and -2 for a key refused.
   */
  key(): number {
    const bytes = this.bytes;
    if (this.pos >= bytes.length) return -1;
    const type = bytes[this.pos++] as number;
    let length: number;
    if (type >= 0xa0 && type <= 0xbf) length = type & 0x1f;
    else if (type === 0xd9) length = this.length(1);
    else if (type === 0xda) length = this.length(2);
    else if (type === 0xdb) length = this.length(4);
    else return -2;
    if (length < 0 || length > bytes.length - this.pos) return -1;
    const start = this.pos;
    this.pos += length;
    if (length === 2) return bytes[start] === 0x69 && bytes[start + 1] === 0x64 ? 1 : 0;
    if (length === PROTO.length) {
      for (let index = 0; index < length; index++) {
        if (bytes[start + index] !== PROTO[index]) return 0;
      }
      return -2;
    }
    return 0;
  }

  /** The value at the position is a message's id: note where it is. */
  id(): void {
    if (this.messageDepth === 1) this.idAt = this.pos;
    if (this.ids === undefined) return;
    const type = this.bytes[this.pos];
    if (type !== 0xcf && type !== 0xd3) return;
    const id = readMsgpackId(this.bytes, this.pos);
    if (id?.raw !== undefined) this.ids[this.member] = id.raw;
  }

  frame(): MsgpackScan {
    const bytes = this.bytes;
    const first = bytes[0] ?? 0;
    let count = 1;
    let verdict: MsgpackVerdict;
    // batch: a top-level array, each member a message with a budget of its own
    if ((first >= 0x90 && first <= 0x9f) || first === 0xdc || first === 0xdd) {
      this.pos = 1;
      count = first <= 0x9f ? first & 0x0f : this.length(first === 0xdc ? 2 : 4);
      this.messageDepth = 2;
      if (count < 0 || count > bytes.length - this.pos) verdict = MALFORMED;
      else if (count > this.limits.maxBatchLength) verdict = BATCH_TOO_LONG;
      else if (1 > this.limits.maxDepth) verdict = TOO_DEEP;
      else {
        verdict = OK;
        for (let index = 0; index < count && verdict === OK; index++) {
          this.values = 0;
          this.member = index;
          verdict = this.value(1);
        }
      }
    } else verdict = this.value(0);
    if (verdict === OK && this.pos !== bytes.length) verdict = MALFORMED;
    return { verdict, count, idAt: this.idAt };
  }
}

/**
 * Checks a MessagePack frame against `limits` without decoding it, allocating nothing per
 * value: nesting depth, values per message, batch length, and that it is well formed and
 * complete (every length within the frame, nothing after the top-level value). Extension
 * types are refused, except `undefined` (fixext 1, type 0) and the timestamp (type -1, 4, 8
 * or 12 bytes); so are map keys that are not strings, and the key `__proto__`.
 */
export function scanMsgpack(bytes: Uint8Array, limits: MsgpackScanLimits): MsgpackScan {
  return new Scanner(bytes, limits).frame();
}

/**
 * The exact decimal text of each message's `id` that is a 64-bit integer, by position (a
 * single message is position 0); `undefined` for every other id. For a frame that passed
 * {@link scanMsgpack}: a decoder gives such an id as a double, which may not hold it exactly.
 */
export function msgpackRawIds(bytes: Uint8Array): Array<string | undefined> {
  const scanner = new Scanner(bytes, {
    maxDepth: Number.POSITIVE_INFINITY,
    maxValues: Number.POSITIVE_INFINITY,
    maxBatchLength: Number.POSITIVE_INFINITY,
  });
  scanner.ids = [];
  scanner.frame();
  return scanner.ids;
}

/** An id read from the bytes: `raw` is its exact text when a double cannot hold it. */
export interface MsgpackId {
  id: string | number | null;
  raw?: string;
}

/** Longest string id {@link readMsgpackId} reads, in bytes: longer ones answer as `null`. */
const MAX_ID_BYTES = 1024;

/**
 * The id whose value starts at `at` (from {@link MsgpackScan.idAt}): a string, a number, or
 * `null`; `undefined` when it is none of those (or runs past the end), which a reply
 * treats as `null`. Reads only that value, so a frame refused before decoding can be
 * answered with its id.
 */
export function readMsgpackId(bytes: Uint8Array, at: number): MsgpackId | undefined {
  if (at < 0 || at >= bytes.length) return undefined;
  const type = bytes[at] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fits = (size: number) => at + 1 + size <= bytes.length;
  if (type <= 0x7f) return { id: type };
  if (type >= 0xe0) return { id: type - 0x100 };
  if (type === 0xc0) return { id: null };
  let start = -1;
  let length = 0;
  if (type >= 0xa0 && type <= 0xbf) {
    start = at + 1;
    length = type & 0x1f;
  } else if (type === 0xd9 && fits(1)) {
    start = at + 2;
    length = view.getUint8(at + 1);
  } else if (type === 0xda && fits(2)) {
    start = at + 3;
    length = view.getUint16(at + 1);
  }
  if (start >= 0) {
    if (start + length > bytes.length || length > MAX_ID_BYTES) return undefined;
    return { id: new TextDecoder().decode(bytes.subarray(start, start + length)) };
  }
  switch (type) {
    case 0xcc:
      return fits(1) ? { id: view.getUint8(at + 1) } : undefined;
    case 0xcd:
      return fits(2) ? { id: view.getUint16(at + 1) } : undefined;
    case 0xce:
      return fits(4) ? { id: view.getUint32(at + 1) } : undefined;
    case 0xd0:
      return fits(1) ? { id: view.getInt8(at + 1) } : undefined;
    case 0xd1:
      return fits(2) ? { id: view.getInt16(at + 1) } : undefined;
    case 0xd2:
      return fits(4) ? { id: view.getInt32(at + 1) } : undefined;
    case 0xca:
      return fits(4) ? finite(view.getFloat32(at + 1)) : undefined;
    case 0xcb:
      return fits(8) ? finite(view.getFloat64(at + 1)) : undefined;
    case 0xcf:
    case 0xd3: {
      if (!fits(8)) return undefined;
      const big = type === 0xcf ? view.getBigUint64(at + 1) : view.getBigInt64(at + 1);
      const id = Number(big);
      return Number.isSafeInteger(id) ? { id } : { id, raw: big.toString() };
    }
    default:
      return undefined;
  }
}

function finite(id: number): MsgpackId | undefined {
  return Number.isFinite(id) ? { id } : undefined;
}
