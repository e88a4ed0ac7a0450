// The server process: starts one target's server and does what the load generator
// asks over IPC (measure CPU or memory, publish fan-out events). Run by server-handle.ts.

import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { setTimeout as sleep, setImmediate as tick } from 'node:timers/promises';
import {
  loadScaleServer,
  SCALE_CONFIG_ENV,
  type ScaleServerConfig,
} from './scale/scale-servers.js';
import type { ServerCommand, ServerReply } from './server-protocol.js';
import { loadServer } from './targets/registry.js';
import type { TargetName } from './targets/target.js';

const target = process.argv[2] as TargetName;
// The scale workloads configure their servers (engine, Redis, heartbeat) through the env.
const scaleConfig = process.env[SCALE_CONFIG_ENV];
const server =
  scaleConfig === undefined
    ? await (await loadServer(target))()
    : await loadScaleServer(target, JSON.parse(scaleConfig) as ScaleServerConfig);
let cpuAtStart: NodeJS.CpuUsage | undefined;
let profiler: Session | undefined;

/** Collects garbage until the heap stops shrinking, so a reading holds only live memory. */
async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('The server process needs --expose-gc');
  for (let round = 0; round < 3; round++) {
    gc();
    await tick();
  }
}

async function handle(command: ServerCommand): Promise<unknown> {
  switch (command.op) {
    case 'cpu-start':
      cpuAtStart = process.cpuUsage();
      return null;
    case 'cpu-stop': {
      const used = process.cpuUsage(cpuAtStart);
      return used.user + used.system;
    }
    case 'memory': {
      await settle();
      const { rss, heapUsed, external } = process.memoryUsage();
      return { rss, heapUsed, external };
    }
    case 'subscribers':
      return server.subscriberCount();
    case 'publish': {
      // One event per turn of the event loop, as events arriving from elsewhere would.
      const first = command.first ?? 0;
      for (let n = first; n < first + command.events; n++) {
        const event = { n, text: 'Hello, subscribers' };
        server.publish(
          command.stamp ? { ...event, at: performance.timeOrigin + performance.now() } : event,
        );
        if (command.intervalMs === undefined) await tick();
        else await sleep(command.intervalMs);
      }
      return null;
    }
    case 'connections':
      return server.connectionCount?.() ?? null;
    case 'profile-start':
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      return null;
    case 'profile-stop': {
      if (profiler === undefined) throw new Error('No profile was started');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      await writeFile(command.path, JSON.stringify(profile));
      return command.path;
    }
    case 'close':
      await server.close();
      setImmediate(() => process.exit(0));
      return null;
  }
}

process.on('message', (command: ServerCommand) => {
  handle(command).then(
    (result): void => void process.send?.({ id: command.id, result } satisfies ServerReply),
    (error: unknown): void =>
      void process.send?.({ id: command.id, error: String(error) } satisfies ServerReply),
  );
});
// The load generator is gone: nothing more to serve.
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true, port: server.port } satisfies ServerReply);
