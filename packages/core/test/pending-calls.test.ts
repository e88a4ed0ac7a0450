import { PendingCalls } from '@volley/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** A call whose settlement the test can observe. */
function spyCall() {
  return { resolve: vi.fn<(value: string) => void>(), reject: vi.fn<(error: unknown) => void>() };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('PendingCalls', () => {
  it('resolves a waiting call once, and then forgets it', () => {
    const calls = new PendingCalls<number, string>();
    const call = spyCall();
    calls.add(1, call, 1_000);
    expect(calls.has(1)).toBe(true);
    expect(calls.size).toBe(1);

    expect(calls.resolve(1, 'ok')).toBe(true);
    expect(call.resolve).toHaveBeenCalledExactlyOnceWith('ok');
    expect(call.reject).not.toHaveBeenCalled();
    expect(calls.has(1)).toBe(false);
    expect(calls.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);

    expect(calls.resolve(1, 'again')).toBe(false);
    expect(calls.reject(1, new Error('late'))).toBe(false);
    expect(call.resolve).toHaveBeenCalledTimes(1);
    expect(call.reject).not.toHaveBeenCalled();
  });

  it('rejects a waiting call once, and then forgets it', () => {
    const calls = new PendingCalls<string, string>();
    const call = spyCall();
    const error = new Error('nope');
    calls.add('a', call, 1_000);

    expect(calls.reject('a', error)).toBe(true);
    expect(call.reject).toHaveBeenCalledExactlyOnceWith(error);
    expect(call.resolve).not.toHaveBeenCalled();
    expect(calls.has('a')).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(calls.reject('a', error)).toBe(false);
    expect(calls.resolve('a', 'late')).toBe(false);
    expect(call.reject).toHaveBeenCalledTimes(1);
    expect(call.resolve).not.toHaveBeenCalled();
  });

  it('settles only the call with the given id', () => {
    const calls = new PendingCalls<number | string, string>();
    const one = spyCall();
    const oneAsString = spyCall();
    calls.add(1, one);
    calls.add('1', oneAsString);
    expect(calls.resolve('1', 'string')).toBe(true);
    expect(oneAsString.resolve).toHaveBeenCalledExactlyOnceWith('string');
    expect(one.resolve).not.toHaveBeenCalled();
    expect(calls.has(1)).toBe(true);
    expect(calls.size).toBe(1);
  });

  it('deletes a call without settling it, and clears its timer', () => {
    const calls = new PendingCalls<number, string>();
    const call = spyCall();
    const onTimeout = vi.fn();
    calls.add(1, call, 100, onTimeout);
    expect(vi.getTimerCount()).toBe(1);

    expect(calls.delete(1)).toBe(true);
    expect(calls.has(1)).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(onTimeout).not.toHaveBeenCalled();
    expect(call.resolve).not.toHaveBeenCalled();
    expect(call.reject).not.toHaveBeenCalled();
    expect(calls.delete(1)).toBe(false);
    expect(calls.resolve(1, 'late')).toBe(false);
  });

  it('rejects every waiting call with one error, and clears every timer', () => {
    const calls = new PendingCalls<number, string>();
    const waiting = [spyCall(), spyCall(), spyCall()];
    const onTimeout = vi.fn();
    calls.add(1, waiting[0]!, 100, onTimeout);
    calls.add(2, waiting[1]!);
    calls.add(3, waiting[2]!, 5_000, onTimeout);
    const lost = new Error('connection lost');

    calls.rejectAll(lost);
    for (const call of waiting) {
      expect(call.reject).toHaveBeenCalledExactlyOnceWith(lost);
      expect(call.resolve).not.toHaveBeenCalled();
    }
    expect(calls.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(onTimeout).not.toHaveBeenCalled();
    expect(calls.resolve(2, 'late')).toBe(false);
    calls.rejectAll(new Error('nothing left'));
    for (const call of waiting) expect(call.reject).toHaveBeenCalledTimes(1);
  });

  it('keeps a call added while rejectAll runs', () => {
    const calls = new PendingCalls<number, string>();
    const retry = spyCall();
    calls.add(1, {
      resolve: () => {},
      reject: () => calls.add(2, retry),
    });
    calls.rejectAll(new Error('lost'));
    expect(calls.has(2)).toBe(true);
    expect(retry.reject).not.toHaveBeenCalled();
  });

  it('times out: removes the entry, then runs onTimeout once', () => {
    const calls = new PendingCalls<number, string>();
    const call = spyCall();
    const seenDuringTimeout: boolean[] = [];
    const onTimeout = vi.fn(() => {
      seenDuringTimeout.push(calls.has(7));
      call.reject(new Error('timed out'));
    });
    calls.add(7, call, 100, onTimeout);

    vi.advanceTimersByTime(99);
    expect(onTimeout).not.toHaveBeenCalled();
    expect(calls.has(7)).toBe(true);

    vi.advanceTimersByTime(1);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    expect(seenDuringTimeout).toEqual([false]);
    expect(calls.has(7)).toBe(false);
    expect(calls.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);

    // The response arrives after the deadline: it is ignored.
    expect(calls.resolve(7, 'late')).toBe(false);
    expect(call.resolve).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('times out without an onTimeout, still removing the entry', () => {
    const calls = new PendingCalls<number, string>();
    const call = spyCall();
    calls.add(1, call, 50);
    vi.advanceTimersByTime(50);
    expect(calls.has(1)).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(call.resolve).not.toHaveBeenCalled();
    expect(call.reject).not.toHaveBeenCalled();
  });

  it('times each call out on its own deadline', () => {
    const calls = new PendingCalls<number, string>();
    const timedOut: number[] = [];
    calls.add(1, spyCall(), 300, () => timedOut.push(1));
    calls.add(2, spyCall(), 100, () => timedOut.push(2));
    calls.add(3, spyCall(), 200, () => timedOut.push(3));
    calls.resolve(3, 'in time');
    vi.advanceTimersByTime(250);
    expect(timedOut).toEqual([2]);
    expect([calls.has(1), calls.has(2)]).toEqual([true, false]);
    vi.advanceTimersByTime(50);
    expect(timedOut).toEqual([2, 1]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([
    ['no timeout', undefined],
    ['an infinite timeout', Number.POSITIVE_INFINITY],
    ['a NaN timeout', Number.NaN],
  ])('sets no timer for %s', (_label, timeoutMs) => {
    const calls = new PendingCalls<number, string>();
    const onTimeout = vi.fn();
    calls.add(1, spyCall(), timeoutMs, onTimeout);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(24 * 60 * 60 * 1_000);
    expect(onTimeout).not.toHaveBeenCalled();
    expect(calls.has(1)).toBe(true);
    expect(calls.delete(1)).toBe(true);
  });

  it('refuses an id that is already in flight, leaving the first call intact', () => {
    const calls = new PendingCalls<number, string>();
    const first = spyCall();
    const second = spyCall();
    calls.add(5, first, 100);
    expect(() => calls.add(5, second, 100)).toThrowErrorMatchingInlineSnapshot(
      `[Error: Request id 5 is already in flight]`,
    );
    expect(vi.getTimerCount()).toBe(1);
    expect(calls.size).toBe(1);
    expect(calls.resolve(5, 'first')).toBe(true);
    expect(first.resolve).toHaveBeenCalledExactlyOnceWith('first');
    expect(second.resolve).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets an id be reused once its call has settled, even from inside the callback', () => {
    const calls = new PendingCalls<number, string>();
    const next = spyCall();
    let seen: boolean | undefined;
    calls.add(1, {
      resolve: () => {
        seen = calls.has(1);
        calls.add(1, next, 100);
      },
      reject: () => {},
    });
    expect(calls.resolve(1, 'first')).toBe(true);
    expect(seen).toBe(false);
    expect(calls.has(1)).toBe(true);
    expect(calls.resolve(1, 'second')).toBe(true);
    expect(next.resolve).toHaveBeenCalledExactlyOnceWith('second');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer behind once every call has settled, whichever way', () => {
    const calls = new PendingCalls<number, string>();
    for (let id = 0; id < 8; id += 1) calls.add(id, spyCall(), 1_000 + id, () => {});
    expect(vi.getTimerCount()).toBe(8);
    calls.resolve(0, 'a');
    calls.reject(1, new Error('b'));
    calls.delete(2);
    vi.advanceTimersByTime(1_003);
    expect(calls.size).toBe(4);
    calls.rejectAll(new Error('closed'));
    expect(calls.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
