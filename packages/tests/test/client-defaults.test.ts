// The client's exported defaults: their values, and that they cannot be changed at run time.
import * as volleyClient from '@volley/client';
import {
  DEFAULT_CLIENT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_LAZY_IDLE_MS,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
} from '@volley/client';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '@volley/server';
import { expect, it } from 'vitest';

it('documents its defaults as these values', () => {
  expect({
    DEFAULT_TIMEOUT_MS,
    DEFAULT_LAZY_IDLE_MS,
    DEFAULT_CONNECT_TIMEOUT_MS,
    DEFAULT_CLIENT_HEARTBEAT_INTERVAL_MS,
    DEFAULT_RETRY,
  }).toEqual({
    DEFAULT_TIMEOUT_MS: 30_000,
    DEFAULT_LAZY_IDLE_MS: 10_000,
    DEFAULT_CONNECT_TIMEOUT_MS: 10_000,
    DEFAULT_CLIENT_HEARTBEAT_INTERVAL_MS: 15_000,
    DEFAULT_RETRY: { initialDelayMs: 250, maxDelayMs: 10_000, maxAttempts: Infinity },
  });
});

it('freezes DEFAULT_RETRY, so that no code can change every client’s backoff', () => {
  expect(Object.isFrozen(DEFAULT_RETRY)).toBe(true);
  expect(() => {
    (DEFAULT_RETRY as { maxAttempts: number }).maxAttempts = 1;
  }).toThrow(TypeError);
  expect(DEFAULT_RETRY.maxAttempts).toBe(Infinity);
});

it("names its heartbeat apart from the server's, whose interval differs", () => {
  expect('DEFAULT_HEARTBEAT_INTERVAL_MS' in volleyClient).toBe(false);
  expect(DEFAULT_HEARTBEAT_INTERVAL_MS).toBe(30_000);
});
