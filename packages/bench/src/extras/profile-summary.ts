// Reads a .cpuprofile and lists where the time went: by function (self time) and by
// package, so a hot path shows without opening DevTools.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

/** `file:///…/node_modules/.pnpm/ws@8/node_modules/ws/lib/x.js` → `ws`; node internals → `node`. */
function ownerOf(url: string): string {
  if (url === '') return '(native / GC / idle)';
  if (url.startsWith('node:')) return 'node';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const [first = '', second = ''] = url.slice(modules + 14).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const workspace = url.match(/\/packages\/([^/]+)\//);
  if (workspace !== null) return `@volley/${workspace[1]}`;
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) return url.slice(modules + 14);
  const workspace = url.indexOf('/packages/');
  return workspace !== -1 ? url.slice(workspace + 10) : url;
}

/** The top functions by self time and the share of each package, as text. */
export async function summarizeProfile(path: string, top = 25): Promise<string> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'}  ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
    const owner = url === '' ? functionName || '(native)' : ownerOf(url);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + hits);
  }
  const share = (hits: number) => `${((hits / total) * 100).toFixed(1).padStart(5)}%`;
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  const seconds = ((profile.endTime - profile.startTime) / 1e6).toFixed(2);
  return [
    `${path}: ${total} samples over ${seconds} s`,
    'Self time by package (or V8 bucket):',
    ...sorted(byOwner)
      .slice(0, 15)
      .map(([owner, hits]) => `  ${share(hits)}  ${owner}`),
    `Top ${top} functions by self time:`,
    ...sorted(byFunction)
      .slice(0, top)
      .map(([name, hits]) => `  ${share(hits)}  ${name}`),
  ].join('\n');
}
