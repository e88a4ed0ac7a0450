// The frames the server builds itself for pushed topic events, checked byte by byte
// against RFC 6455 (section 5.2). End to end, fan-out.test.ts sends them over real sockets.
import { describe, expect, it } from 'vitest';
import { textFrame } from '../src/text-frame.js';

const bytes = (text: string) => Buffer.from(text);

describe('textFrame', () => {
  it.each([
    // [payload length, header bytes]
    [0, [0x81, 0]],
    [125, [0x81, 125]],
    [126, [0x81, 126, 0, 126]],
    [65_535, [0x81, 126, 0xff, 0xff]],
    [65_536, [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]],
  ])('a payload of %i bytes gets the header %j', (length, header) => {
    const head = bytes('h'.repeat(Math.min(length, 3)));
    const tail = bytes('t'.repeat(length - head.length));
    const frame = textFrame(head, tail);
    expect([...frame.subarray(0, header.length)]).toEqual(header);
    expect(frame.length).toBe(header.length + length);
    expect(frame.subarray(header.length).toString()).toBe(head.toString() + tail.toString());
  });

  it('counts UTF-8 bytes, not characters', () => {
    const frame = textFrame(bytes('{"é":'), bytes('"🏐"}'));
    // 6 + 7 bytes, though only 5 + 4 code points
    expect([...frame.subarray(0, 2)]).toEqual([0x81, 13]);
    expect(frame.subarray(2).toString()).toBe('{"é":"🏐"}');
  });
});
