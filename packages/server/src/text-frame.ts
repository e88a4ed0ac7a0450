/**
 * A final, unmasked WebSocket text frame (RFC 6455, section 5.2) whose payload is `head`
 * then `tail`, in one buffer: what a server writes for one message. Pure; `head` and
 * `tail` are UTF-8 already, so a part shared by many frames is encoded once. With
 * `binary`, a binary frame (opcode 2) of the same bytes.
 */
export function textFrame(head: Uint8Array, tail: Uint8Array, binary = false): Buffer {
  const length = head.length + tail.length;
  // The payload length takes 7 bits, or 126 and then 16 bits, or 127 and then 64 bits.
  const offset = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(offset + length);
  frame[0] = binary ? 0x82 : 0x81; // FIN, opcode 1 (text) or 2 (binary)
  if (offset === 2) frame[1] = length;
  else if (offset === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(head, offset);
  frame.set(tail, offset + head.length);
  return frame;
}
