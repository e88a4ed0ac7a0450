// CLOSE_CODES and PROTOCOL.md's table of close codes say the same thing: every code the
// table names is in CLOSE_CODES under that name, and every entry of CLOSE_CODES is in
// the table (1007 is ws's own, sent before Volley sees the frame, so it has no name).
import { readFileSync } from 'node:fs';
import { CLOSE_CODES } from '@volley/core';
import { expect, it } from 'vitest';

const protocol = readFileSync(new URL('../../../PROTOCOL.md', import.meta.url), 'utf8');
const section = protocol.slice(protocol.indexOf('## Close codes'));
const rows = [...section.matchAll(/^\| (\d{4}) \| (`([A-Z_]+)`|\(WebSocket\)) /gm)].map(
  (match) => ({
    code: Number(match[1]),
    name: match[3],
  }),
);

it('PROTOCOL.md lists every close code of CLOSE_CODES under its name', () => {
  const named = Object.fromEntries(
    rows.filter((row) => row.name !== undefined).map((row) => [row.name, row.code]),
  );
  expect(named).toEqual(CLOSE_CODES);
});

it('the only unnamed code in the table is 1007, which ws sends for a frame that is not UTF-8', () => {
  expect(rows.filter((row) => row.name === undefined).map((row) => row.code)).toEqual([1007]);
});
