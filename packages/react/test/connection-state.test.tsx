// @vitest-environment happy-dom
// useConnectionState follows the client's $state with nothing else re-rendering the component.
import { act, render, screen } from '@testing-library/react';
import { useConnectionState } from '@volley/react';
import { expect, it } from 'vitest';
import { forEachTest, type Volley } from './harness.js';

let volley: Volley;
forEachTest((started) => {
  volley = started;
});

function State() {
  return <p>connection: {useConnectionState(volley.client)}</p>;
}

it('re-renders on every change of the connection state', async () => {
  render(<State />);
  expect(screen.getByText('connection: open')).toBeTruthy();
  await act(() => volley.stop());
  await screen.findByText('connection: reconnecting');
  await act(async () => {
    await volley.restart();
  });
  await screen.findByText('connection: open');
  await act(() => volley.client.$close());
  await screen.findByText('connection: closed');
});
