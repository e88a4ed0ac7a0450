// A client calling every kind of procedure, as a strictest user writes it: options that
// may be absent are passed straight through.
import { ClientClosedError, ConnectionLostError, createClient, VolleyError } from '@volley/client';
import WebSocket from 'ws';
import type { AppOutputs, AppRouter } from './router.js';

interface CallSettings {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

export async function run(settings: CallSettings, token: string | undefined): Promise<void> {
  const client = createClient<AppRouter>({
    // biome-ignore lint/complexity/useLiteralKeys: noPropertyAccessFromIndexSignature wants brackets.
    url: process.env['VOLLEY_URL'] ?? 'ws://localhost:3000',
    WebSocket,
    connectionParams: async () => ({ token }),
    timeoutMs: settings.timeoutMs,
    retry: { initialDelayMs: 250, maxDelayMs: 10_000, maxAttempts: Number.POSITIVE_INFINITY },
    heartbeatIntervalMs: 15_000,
    connectTimeoutMs: 10_000,
    lazy: { idleMs: 10_000 },
  });

  const stop = client.$onStateChange((state) => {
    if (state === 'closed') stop();
  });

  const echoed: string = await client.echo.query('Hello', settings);
  const greeting: string = await client.greet.query(
    { name: 'Ada', title: undefined },
    { signal: settings.signal, timeoutMs: settings.timeoutMs },
  );
  const page: AppOutputs['page'] = await client.page.query({ cursor: undefined });
  const found = await client.find.query({ id: 'ada' });
  const at: string = found.at;
  const me = await client.whoami.query();
  const sent = await client.chat.send.mutate(
    { room: 'lobby', text: 'hi' },
    { idempotent: false, signal: settings.signal, timeoutMs: settings.timeoutMs },
  );
  await client.admin.reset.mutate(undefined, { idempotent: true });

  for await (const message of client.chat.onMessage.subscribe({ room: 'lobby' })) {
    const text: string = message.text;
    if (text === 'bye') break;
  }
  const subscription = client.admin.ticks.subscribe(
    { count: 3 },
    {
      signal: settings.signal,
      timeoutMs: settings.timeoutMs,
      onData: ({ tick }) => void tick,
      onError: (error) => {
        if (error instanceof VolleyError) void error.code;
        else if (error instanceof ConnectionLostError || error instanceof ClientClosedError) {
          void error.message;
        }
      },
      onComplete: () => undefined,
      onStarted: () => undefined,
      onResumed: ({ recovered }) => void recovered,
    },
  );
  const resumeFrom: string | undefined = subscription.lastEventId;
  subscription.unsubscribe();

  await client.$reauth();
  const state: string = client.$state;
  void [echoed, greeting, page, at, me, sent, resumeFrom, state];
  await client.$close();
}
