// The presence source as the inspector asks it: members to labels, bounded, failures shown.
import { describe, expect, it } from 'vitest';
import { MAX_LABEL_LENGTH, presenceOf } from '../src/presence.js';

describe('presenceOf', () => {
  it('labels members: strings and numbers as they are, { id, data: { name } } as "name (id)"', async () => {
    const members = ['ada', 7, { id: 'u1', data: { name: 'Bob' } }, { id: 'u2', data: 3 }];
    expect(await presenceOf(() => members, 'room:lobby', 10)).toEqual({
      count: 4,
      members: ['ada', '7', 'Bob (u1)', 'u2'],
    });
  });

  it('asks a pub/sub with presence through its presence method', async () => {
    const asked: string[] = [];
    const rooms = {
      async presence(topic: string) {
        asked.push(topic);
        return [{ id: 'grace', data: null }];
      },
    };
    expect(await presenceOf(rooms, 'room:rust', 10)).toEqual({ count: 1, members: ['grace'] });
    expect(asked).toEqual(['room:rust']);
  });

  it('names at most maxMembers but counts them all, and cuts long labels', async () => {
    const many = Array.from({ length: 30 }, (_, index) => `member-${index}`);
    const result = await presenceOf(() => many, 't', 5);
    expect(result.count).toBe(30);
    expect(result.members).toHaveLength(5);
    const [long] = (await presenceOf(() => ['x'.repeat(500)], 't', 5)).members;
    expect(long).toHaveLength(MAX_LABEL_LENGTH);
  });

  it('reports a source that throws or rejects as an error for that topic', async () => {
    expect(
      await presenceOf(
        () => {
          throw new Error('no presence on this engine');
        },
        't',
        5,
      ),
    ).toEqual({ count: 0, members: [], error: 'no presence on this engine' });
    expect(await presenceOf(() => Promise.reject(new Error('Redis down')), 't', 5)).toEqual({
      count: 0,
      members: [],
      error: 'Redis down',
    });
  });
});
