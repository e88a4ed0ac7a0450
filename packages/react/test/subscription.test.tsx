// @vitest-environment happy-dom
// useSubscription against a real Volley server, whose subscription generator counts itself:
// a subscription left running on the server after an unmount would show as a live count.
import { act, fireEvent, render, screen } from '@testing-library/react';
import { VolleyError } from '@volley/client';
import { useSubscription } from '@volley/react';
import { useState } from 'react';
import { expect, it } from 'vitest';
import { forEachTest, type Volley } from './harness.js';

let volley: Volley;
let api: Volley['api'];
forEachTest((started) => {
  volley = started;
  api = started.api;
});

/** Shows everything the hook reports, one line each. */
function Ticks({ room }: { room: string }) {
  const [received, setReceived] = useState<string[]>([]);
  const result = useSubscription(
    api.ticks.subscriptionOptions(
      { room },
      { onData: (tick) => setReceived((list) => [...list, tick]) },
    ),
  );
  return (
    <>
      <p>status: {result.status}</p>
      <p>connection: {result.connectionState}</p>
      <p>data: {result.data ?? 'none'}</p>
      <p>received: {received.join(',')}</p>
      <p>recovered: {String(result.recovered)}</p>
      <p>error: {result.error ? result.error.message : 'none'}</p>
    </>
  );
}

/** Sends to the `ticks` subscriptions of `room`, once `live` of them listen. */
const emit = async (room: string, text: string, live = 1) => {
  await volley.probe.live.until(live);
  act(() => volley.probe.emit(room, text));
};
/** Publishes on the pub/sub topic that `feed` streams. */
const publish = (room: string, text: string) =>
  act(async () => {
    await volley.rooms.publish(`room:${room}`, text);
  });

it('delivers events, then leaves no subscription on the server after unmount', async () => {
  const view = render(<Ticks room="lobby" />, { wrapper: volley.wrapper });
  await screen.findByText('status: active');
  await emit('lobby', 'one');
  await emit('lobby', 'two');
  await screen.findByText('received: one,two');
  expect(screen.getByText('data: two')).toBeTruthy();
  view.unmount();
  await volley.probe.live.until(0);
  expect(volley.client.$state).toBe('open'); // ended by rpc.cancel, not by a disconnect
});

it('subscribes once under StrictMode and leaks nothing after unmount', async () => {
  // At the root: React double-mounts only under a root StrictMode.
  const view = render(<Ticks room="lobby" />, { wrapper: volley.wrapper, reactStrictMode: true });
  await screen.findByText('status: active');
  await emit('lobby', 'one');
  // Exactly one delivery: the first mount's subscription did not survive the second.
  await screen.findByText('received: one');
  await volley.probe.live.until(1);
  view.unmount();
  await volley.probe.live.until(0);
});

function Room() {
  const [room, setRoom] = useState('red');
  const [renders, setRenders] = useState(0);
  const { data, status } = useSubscription(api.ticks.subscriptionOptions({ room }));
  return (
    <>
      <p>
        {room} {status} {data ?? 'none'} {renders}
      </p>
      <button type="button" onClick={() => setRoom('blue')}>
        blue
      </button>
      {/* A new input object of the same value on every render. */}
      <button type="button" onClick={() => setRenders((count) => count + 1)}>
        render
      </button>
    </>
  );
}

it('re-subscribes when the input changes, and not when it is equal by value', async () => {
  render(<Room />, { wrapper: volley.wrapper });
  await screen.findByText('red active none 0');
  await emit('red', 'r1');
  await screen.findByText('red active r1 0');
  fireEvent.click(screen.getByText('render'));
  await screen.findByText('red active r1 1');
  expect(volley.probe.started.value).toBe(1);

  fireEvent.click(screen.getByText('blue'));
  // The last event of the old input is not shown for the new one.
  await screen.findByText('blue active none 1');
  await volley.probe.started.until(2);
  await volley.probe.live.until(1); // the red generator ended: only blue's is left
  expect(volley.probe.rooms).toEqual(['red', 'blue']);
  await emit('blue', 'b1');
  await screen.findByText('blue active b1 1');
});

it('reports the connection state when the server goes away, then resumes', async () => {
  render(<Ticks room="lobby" />, { wrapper: volley.wrapper });
  await screen.findByText('status: active');
  expect(screen.getByText('connection: open')).toBeTruthy();
  expect(screen.getByText('recovered: undefined')).toBeTruthy();
  await emit('lobby', 'before');
  await screen.findByText('received: before');

  await act(() => volley.stop());
  await screen.findByText('connection: reconnecting');
  expect(screen.getByText('status: connecting')).toBeTruthy();
  await volley.probe.live.until(0);

  await act(async () => {
    await volley.restart();
  });
  await screen.findByText('connection: open');
  // A generator cannot replay what it missed: the hook says so rather than failing.
  await screen.findByText('recovered: false');
  expect(screen.getByText('status: active')).toBeTruthy();
  expect(screen.getByText('error: none')).toBeTruthy();
  await emit('lobby', 'after');
  await screen.findByText('received: before,after');
});

function Feed({ onResumed }: { onResumed: (info: { recovered: boolean }) => void }) {
  const [received, setReceived] = useState<string[]>([]);
  const { status, recovered } = useSubscription(
    api.feed.subscriptionOptions(
      { room: 'lobby' },
      {
        onData: (text) => setReceived((list) => [...list, text]),
        onResumed,
      },
    ),
  );
  return (
    <p>
      {status} [{received.join(',')}] recovered: {String(recovered)}
    </p>
  );
}

it('reports recovered: true when the missed events are replayed', async () => {
  const resumes: boolean[] = [];
  render(<Feed onResumed={(info) => resumes.push(info.recovered)} />, { wrapper: volley.wrapper });
  await screen.findByText('active [] recovered: undefined');
  await publish('lobby', 'one');
  await screen.findByText('active [one] recovered: undefined');
  await act(() => volley.stop());
  await publish('lobby', 'missed'); // the pub/sub outlives the server, as Redis would
  await act(async () => {
    await volley.restart();
  });
  await screen.findByText('active [one,missed] recovered: true');
  expect(resumes).toEqual([true]);
});

function Toggle() {
  const [enabled, setEnabled] = useState(false);
  const [room, setRoom] = useState('lobby');
  const { status, error, reset } = useSubscription(
    api.ticks.subscriptionOptions({ room }, { enabled }),
  );
  return (
    <>
      <p>
        {status} {error instanceof VolleyError ? error.code : 'no error'}
      </p>
      <button type="button" onClick={() => setEnabled(true)}>
        enable
      </button>
      <button type="button" onClick={() => setRoom('NOT A ROOM')}>
        bad
      </button>
      <button type="button" onClick={() => setRoom('lobby')}>
        good
      </button>
      <button type="button" onClick={reset}>
        reset
      </button>
    </>
  );
}

it('stays idle while disabled, fails with the server error on bad input, and reset() subscribes again', async () => {
  render(<Toggle />, { wrapper: volley.wrapper });
  await screen.findByText('idle no error');
  fireEvent.click(screen.getByText('enable'));
  await screen.findByText('active no error');
  await volley.probe.started.until(1);
  fireEvent.click(screen.getByText('bad'));
  await screen.findByText('error INVALID_PARAMS');
  await volley.probe.live.until(0);
  fireEvent.click(screen.getByText('good'));
  await screen.findByText('active no error');
  fireEvent.click(screen.getByText('reset'));
  await volley.probe.started.until(3);
  await screen.findByText('active no error');
  await volley.probe.live.until(1);
  // Enabled (1), the good room again (2), reset (3): none while it was disabled.
  expect(volley.probe.started.value).toBe(3);
});
