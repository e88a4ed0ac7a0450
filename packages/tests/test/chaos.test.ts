// The chaos test: a server process publishing sequence numbers, a TCP proxy, and one
// client with a tracked subscription, while random faults hit the route and the server:
// cuts, stalls (blackholes) and SIGKILL-and-restart. Whatever happens, the client must
// see every number exactly once and in order, except where it was told explicitly
// (recovered: false) that the server lost its log, which only a kill may cause.
//
// VOLLEY_CHAOS_FAULTS scales the number of faults (default 100); VOLLEY_CHAOS_SEED picks
// the random sequence (printed with the figures, so a failing run can be replayed).
import { createClient } from '@volley/client';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { NumberEvent, NumbersRouter } from './fixtures/numbers-router.js';
import { type ChildServer, startChildServer } from './helpers/child-server.js';
import { untilState, within } from './helpers/harness.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

const FAULTS = Number(process.env.VOLLEY_CHAOS_FAULTS ?? 100);
const SEED = Number(process.env.VOLLEY_CHAOS_SEED ?? Date.now() % 2 ** 31);
/**
 * At most this many numbers must arrive after a recovery before the next fault (a random
 * count from 1, so that some faults land while the missed numbers are being replayed).
 */
const MAX_EVENTS_BETWEEN_FAULTS = 60;
/** A generous bound on each wait; never a timing assertion. */
const WAIT_MS = 20_000;

type FaultType = 'cut' | 'stall' | 'kill';

/** mulberry32: a small seeded PRNG, so a run can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The faults to inject, shuffled: about 6% kills (each costs a process start), 30%
 * stalls (each waits for the client's heartbeat), the rest cuts.
 */
function planFaults(count: number, random: () => number): FaultType[] {
  const kills = Math.max(1, Math.round(count * 0.06));
  const stalls = Math.max(1, Math.round(count * 0.3));
  const plan: FaultType[] = [
    ...Array<FaultType>(kills).fill('kill'),
    ...Array<FaultType>(stalls).fill('stall'),
    ...Array<FaultType>(Math.max(0, count - kills - stalls)).fill('cut'),
  ];
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j] as FaultType, plan[i] as FaultType];
  }
  return plan;
}

/**
 * Checks the sequence as it arrives. Within an incarnation the numbers must be
 * consecutive; a gap or a change of incarnation is allowed only right after a
 * `recovered: false`, which is allowed only after a kill.
 */
class SequenceChecker {
  delivered = 0;
  duplicates = 0;
  lost = 0;
  /** A new incarnation's numbers arrived without recovered: false first. */
  unannounced = 0;
  /** recovered: false after a fault the server survived. */
  unexpectedNotRecovered = 0;
  /** recovered: true after a kill (the log died with the process: impossible). */
  impossibleRecovered = 0;
  readonly recoveries: Record<
    FaultType | 'unprompted',
    { recovered: number; notRecovered: number }
  > = {
    cut: { recovered: 0, notRecovered: 0 },
    stall: { recovered: 0, notRecovered: 0 },
    kill: { recovered: 0, notRecovered: 0 },
    unprompted: { recovered: 0, notRecovered: 0 },
  };
  readonly problems: string[] = [];
  #last: NumberEvent | undefined;
  /** Set by recovered: false: the next number may start anywhere in a later incarnation. */
  #resync = false;
  /** The fault whose resume is awaited; the next resume is counted for it. */
  #expecting: FaultType | undefined;
  #waiters: Array<{ until: () => boolean; resolve: () => void }> = [];
  resumes = 0;

  #problem(text: string): void {
    if (this.problems.length < 20) this.problems.push(text);
  }

  expect(fault: FaultType): void {
    this.#expecting = fault;
  }

  onResumed({ recovered }: { recovered: boolean }, currentIncarnation: number): void {
    this.resumes += 1;
    const cause = this.#expecting ?? 'unprompted';
    this.#expecting = undefined;
    this.recoveries[cause][recovered ? 'recovered' : 'notRecovered'] += 1;
    if (!recovered) {
      this.#resync = true;
      // Only a server that lost its log (a new process) may say this.
      if (this.#last !== undefined && this.#last.incarnation === currentIncarnation) {
        this.unexpectedNotRecovered += 1;
        this.#problem(
          `recovered: false after ${cause}, server still incarnation ${currentIncarnation}`,
        );
      }
    } else if (cause === 'kill') {
      this.impossibleRecovered += 1;
      this.#problem('recovered: true after a kill');
    }
    this.#wake();
  }

  onData(event: NumberEvent): void {
    this.delivered += 1;
    const last = this.#last;
    if (last === undefined || this.#resync) {
      if (last !== undefined && event.incarnation === last.incarnation && event.seq <= last.seq) {
        this.duplicates += 1;
        this.#problem(`after a resync, ${event.incarnation}:${event.seq} again`);
      }
      this.#resync = false;
      this.#last = event;
    } else if (event.incarnation !== last.incarnation) {
      this.unannounced += 1;
      this.#problem(`incarnation ${event.incarnation} began without recovered: false`);
      this.#last = event;
    } else if (event.seq <= last.seq) {
      this.duplicates += 1;
      this.#problem(`${event.incarnation}:${event.seq} after ${last.seq}`);
    } else {
      if (event.seq > last.seq + 1) {
        this.lost += event.seq - last.seq - 1;
        this.#problem(`${event.incarnation}:${last.seq + 1}..${event.seq - 1} never arrived`);
      }
      this.#last = event;
    }
    this.#wake();
  }

  get last(): NumberEvent | undefined {
    return this.#last;
  }

  /** Resolves once `until()` holds, checked after every event and resume. */
  when(until: () => boolean, what: string): Promise<void> {
    return within(
      new Promise<void>((resolve) => {
        if (until()) resolve();
        else this.#waiters.push({ until, resolve });
      }),
      what,
      WAIT_MS,
    );
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) {
      if (!waiter.until()) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

let child: ChildServer | undefined;
let proxy: TcpProxy | undefined;
let closeClient: (() => Promise<void>) | undefined;
afterEach(async () => {
  // Resumed first, so that a run that failed mid-stall does not leave $close() waiting
  // for a closing handshake that cannot get through.
  proxy?.resume();
  await closeClient?.();
  await proxy?.close();
  await child?.close();
  closeClient = undefined;
  proxy = undefined;
  child = undefined;
});

it(`loses and duplicates nothing through ${FAULTS} random cuts, stalls and server kills`, {
  timeout: 60_000 + FAULTS * 3_000,
}, async () => {
  const random = prng(SEED);
  const plan = planFaults(FAULTS, random);
  const startedAt = Date.now();
  child = await startChildServer({ paceMs: 3, heartbeatIntervalMs: 1_000 });
  proxy = await startTcpProxy(child.port);
  const server = child;
  const route = proxy;
  const client = createClient<NumbersRouter>({
    url: route.url,
    WebSocket,
    // Short, so that a stall is found quickly; events every 3 ms keep it from pinging.
    heartbeatIntervalMs: 100,
    retry: { initialDelayMs: 10, maxDelayMs: 100 },
    timeoutMs: 60_000,
  });
  closeClient = () => client.$close();

  const checker = new SequenceChecker();
  const failures: unknown[] = [];
  let opened = 0;
  client.$onStateChange((state) => {
    if (state === 'open') opened += 1;
  });
  client.numbers.subscribe(undefined, {
    onData: (event) => checker.onData(event),
    onResumed: (info) => checker.onResumed(info, server.incarnation),
    onError: (error) => failures.push(error),
  });

  /** Waits until `count` more numbers have arrived. */
  const receiving = (count: number, what: string) => {
    const target = checker.delivered + count;
    return checker.when(() => checker.delivered >= target || failures.length > 0, what);
  };
  /**
   * Waits for a resume after the fault injected when there had been `resumes` resumes,
   * then for numbers flowing again.
   */
  const recovered = async (fault: FaultType, index: number, resumes: number) => {
    await checker.when(
      () => checker.resumes > resumes || failures.length > 0,
      `the resume after fault #${index} (${fault})`,
    );
    const count = 1 + Math.floor(random() * MAX_EVENTS_BETWEEN_FAULTS);
    await receiving(count, `numbers after fault #${index} (${fault})`);
  };
  const stateIs = (state: string, what: string) => untilState(client, state, what, WAIT_MS);

  const injected: Record<FaultType, number> = { cut: 0, stall: 0, kill: 0 };
  /** Cuts that hit a connection just accepted, before its resume was acknowledged. */
  let cutsDuringResume = 0;
  /** Faults injected while the route was slowed down. */
  let delayed = 0;

  await receiving(MAX_EVENTS_BETWEEN_FAULTS, 'the first numbers');
  for (const [index, fault] of plan.entries()) {
    if (failures.length > 0) break;
    // Now and then the route gets slow (every chunk delayed, order kept), which must
    // cost nothing but time.
    const delayMs = random() < 0.2 ? 1 + Math.floor(random() * 20) : 0;
    route.setDelay(delayMs);
    if (delayMs > 0) delayed += 1;
    // A little pacing between faults (not an assertion): numbers keep flowing meanwhile.
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 30)));
    const resumes = checker.resumes;
    checker.expect(fault);
    switch (fault) {
      case 'cut': {
        route.cut();
        injected.cut += 1;
        // Now and then, cut again the moment the new connection is accepted, while the
        // resume request is in flight.
        if (random() < 0.2) {
          await stateIs('reconnecting', `the client to notice cut #${index}`);
          await stateIs('open', `the reconnection after cut #${index}`);
          if (checker.resumes === resumes) {
            route.cut();
            injected.cut += 1;
            cutsDuringResume += 1;
          }
        }
        await recovered('cut', index, resumes);
        break;
      }
      case 'stall': {
        route.stall();
        injected.stall += 1;
        // Only the client's heartbeat can notice: nothing is closed.
        await stateIs('reconnecting', `the heartbeat to notice stall #${index}`);
        route.resume();
        await recovered('stall', index, resumes);
        break;
      }
      case 'kill': {
        await server.restart();
        injected.kill += 1;
        await recovered('kill', index, resumes);
        break;
      }
    }
  }

  const figures = {
    seed: SEED,
    faults: {
      ...injected,
      total: injected.cut + injected.stall + injected.kill,
      cutsDuringResume,
      whileDelayed: delayed,
    },
    recoveries: checker.recoveries,
    reconnections: opened,
    delivered: checker.delivered,
    lost: checker.lost,
    duplicated: checker.duplicates,
    unannouncedRestarts: checker.unannounced,
    incarnations: server.incarnation,
    last: checker.last,
    seconds: Math.round((Date.now() - startedAt) / 100) / 10,
  };
  console.log(`chaos figures: ${JSON.stringify(figures)}`);
  if (checker.problems.length > 0) console.log(`chaos problems: ${checker.problems.join('; ')}`);

  expect(failures).toEqual([]);
  expect(figures.faults.total).toBeGreaterThanOrEqual(FAULTS);
  expect(checker.lost).toBe(0);
  expect(checker.duplicates).toBe(0);
  expect(checker.unannounced).toBe(0);
  expect(checker.unexpectedNotRecovered).toBe(0);
  expect(checker.impossibleRecovered).toBe(0);
  // Every fault was followed by a resume; a kill's says recovered: false, every other true.
  expect(checker.recoveries.kill).toEqual({ recovered: 0, notRecovered: injected.kill });
  expect(checker.recoveries.stall).toEqual({ recovered: injected.stall, notRecovered: 0 });
  expect(checker.recoveries.cut).toEqual({
    recovered: injected.cut - cutsDuringResume,
    notRecovered: 0,
  });
  expect(checker.recoveries.unprompted.notRecovered).toBe(0);
  expect(checker.problems).toEqual([]);
});
