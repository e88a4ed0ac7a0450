import { createClient } from '@volley/client';
import { createVolleyOptions } from '@volley/react';
import type { ChatRouter } from '../../chat/src/router.js';

// The page is served beside the Volley endpoint; `?name=Ada` in its URL names you.
export const name = new URLSearchParams(location.search).get('name') ?? 'guest';
const url = new URL(`/rpc?name=${encodeURIComponent(name)}`, location.href);
url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';

export const client = createClient<ChatRouter>({ url });
export const volley = createVolleyOptions<ChatRouter>(client);
