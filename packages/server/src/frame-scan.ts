import { type WireId, wireId } from './wire.js';

// Looks at a frame's text before it is parsed: how deep it nests and how many messages
// it holds. One pass over the characters, skipping strings with indexOf, and no
// allocation, so it costs little next to JSON.parse and lets limits refuse a frame
// before the parse (and whatever recursion would follow it) is paid for.

/** What {@link scanFrame} returns for a frame that nests deeper than allowed. */
export const TOO_DEEP = -1;

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const OPEN_ARRAY = 91; // [
const CLOSE_ARRAY = 93; // ]
const OPEN_OBJECT = 123; // {
const CLOSE_OBJECT = 125; // }
const COMMA = 44; // ,

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/**
 * Counts the messages in a frame, or returns {@link TOO_DEEP} when arrays and objects
 * nest more than `maxDepth` levels. A frame whose text starts with `[` is a batch and
 * counts its top-level members (`0` for `[]`); any other frame counts 1. Text that is not
 * JSON gets a meaningless count, which is harmless: the parse that follows rejects it.
 */
export function scanFrame(text: string, maxDepth: number): number {
  const length = text.length;
  let index = 0;
  while (index < length && isSpace(text.charCodeAt(index))) index++;
  const batch = text.charCodeAt(index) === OPEN_ARRAY;
  // The common case: a single message with few brackets cannot nest deeper than it has
  // brackets (strings included, which only overcounts), so native indexOf settles it.
  if (!batch) {
    let opens = 0;
    for (let at = text.indexOf('{'); at !== -1 && opens <= maxDepth; at = text.indexOf('{', at + 1))
      opens++;
    for (let at = text.indexOf('['); at !== -1 && opens <= maxDepth; at = text.indexOf('[', at + 1))
      opens++;
    if (opens <= maxDepth) return 1;
  }
  let depth = 0;
  let commas = 0;
  let empty = true;
  for (; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      if (depth === 1) empty = false;
      // Jump to the closing quote: one not escaped by an odd run of backslashes.
      let end = index;
      for (;;) {
        end = text.indexOf('"', end + 1);
        if (end === -1) return batch ? commas + 1 : 1;
        let before = end - 1;
        while (text.charCodeAt(before) === BACKSLASH) before--;
        if ((end - 1 - before) % 2 === 0) break;
      }
      index = end;
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      if (depth === 1) empty = false;
      if (++depth > maxDepth) return TOO_DEEP;
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      depth--;
    } else if (depth === 1) {
      if (code === COMMA) commas++;
      else if (!isSpace(code)) empty = false;
    }
  }
  if (!batch) return 1;
  return empty ? 0 : commas + 1;
}

// `"id": <string or number>` among the leading members of an object, before any nested
// value: where Volley's client and most others put it.
const LEADING_ID =
  /^\s*\{(?:\s*"(?:[^"\\]|\\.){0,64}"\s*:\s*(?:"(?:[^"\\]|\\.){0,256}"|[-+.\w]{1,32})\s*,)*?\s*"id"\s*:\s*("(?:[^"\\]|\\.){0,256}"|-?\d[\d.eE+-]{0,255})\s*[,}]/;

/**
 * The id of a request that was refused before it was parsed, when it can be read
 * cheaply from the start of the text (a number as written, so that it is echoed exactly);
 * otherwise `null`, as JSON-RPC answers a request whose id it cannot determine.
 */
export function leadingId(text: string): WireId {
  const match = LEADING_ID.exec(text.length > 1024 ? text.slice(0, 1024) : text);
  const raw = match?.[1];
  if (raw === undefined) return null;
  try {
    const id: unknown = JSON.parse(raw);
    if (typeof id === 'string') return id;
    return typeof id === 'number' && Number.isFinite(id) ? wireId(id, raw) : null;
  } catch {
    return null;
  }
}

/** Whether a key's JSON text (quotes included) is `"id"`, escapes such as `"\u0069d"` too. */
function isIdKey(key: string): boolean {
  if (key === '"id"') return true;
  return key.length <= 14 && key.includes('\\') && JSON.parse(key) === 'id';
}

/** The index just past the string that opens at `start` (a `"`). */
function stringEnd(text: string, start: number): number {
  let end = start;
  for (;;) {
    end = text.indexOf('"', end + 1);
    if (end === -1) return text.length;
    let before = end - 1;
    while (text.charCodeAt(before) === BACKSLASH) before--;
    if ((end - 1 - before) % 2 === 0) return end + 1;
  }
}

/**
 * The text of the `id` member of a message, or of each member of a batch (by position),
 * as the client wrote it: a number JSON.parse cannot hold exactly (past 2^53) is echoed
 * from it. For a frame that parsed; members without an `id` are `undefined`.
 */
export function rawIds(text: string): Array<string | undefined> {
  const ids: Array<string | undefined> = [];
  let start = 0;
  while (isSpace(text.charCodeAt(start))) start++;
  const objectDepth = text.charCodeAt(start) === OPEN_ARRAY ? 2 : 1;
  let depth = 0;
  let member = 0;
  let expectKey = false;
  for (let index = start; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      const end = stringEnd(text, index);
      if (expectKey && depth === objectDepth && isIdKey(text.slice(index, end))) {
        let value = text.indexOf(':', end) + 1;
        while (isSpace(text.charCodeAt(value))) value++;
        let valueEnd = value;
        while (valueEnd < text.length && /[-+.\deE]/.test(text[valueEnd] as string)) valueEnd++;
        if (valueEnd > value) ids[member] = text.slice(value, valueEnd);
      }
      expectKey = false;
      index = end - 1;
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      depth++;
      expectKey = code === OPEN_OBJECT && depth === objectDepth;
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      depth--;
    } else if (code === COMMA) {
      if (depth === objectDepth) expectKey = true;
      else if (depth === objectDepth - 1) member++;
    }
  }
  return ids;
}

/**
 * Whether every message of a frame holds at most `maxValues` array elements and object
 * members, counted as the commas between them (outside strings) — each member of a batch
 * on its own. One native `indexOf` pass over the commas settles the common case; only a
 * frame with more commas than that in all is walked character by character.
 */
export function withinValues(text: string, maxValues: number): boolean {
  let commas = 0;
  for (let at = text.indexOf(','); at !== -1; at = text.indexOf(',', at + 1)) {
    if (++commas > maxValues) break;
  }
  if (commas <= maxValues) return true;
  let index = 0;
  while (isSpace(text.charCodeAt(index))) index++;
  const batch = text.charCodeAt(index) === OPEN_ARRAY;
  let depth = 0;
  let count = 0;
  for (; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) index = stringEnd(text, index) - 1;
    else if (code === OPEN_ARRAY || code === OPEN_OBJECT) depth++;
    else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) depth--;
    else if (code === COMMA) {
      // A comma between a batch's members starts the next message's count.
      if (batch && depth === 1) count = 0;
      else if (++count > maxValues) return false;
    }
  }
  return true;
}
