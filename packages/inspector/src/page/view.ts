// Draws a snapshot into the page's tables. Text only (`textContent`), never HTML: origins,
// topics and member names come from clients.
import type { InspectorSnapshot, Rate } from '../snapshot.js';

type Cell = string | number | null | { text: string; className: string };

const STATES: Record<string, string> = {
  idle: 'Idle',
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** A number for people: `1234.5` → `1,234.5`; `null` → `–`. */
function number(value: number | null, digits = 2): string {
  if (value === null) return '–';
  return value.toLocaleString('en', { maximumFractionDigits: digits });
}

/** Milliseconds, shortened. */
function ms(value: number | null): string {
  if (value === null) return '–';
  if (value >= 1000) return `${number(value / 1000, 2)} s`;
  return `${number(value, value < 1 ? 3 : 1)} ms`;
}

/** Bytes, shortened. */
function bytes(value: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${number(value, unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** The page's elements, and how to draw into them. */
export function createView(document: Document) {
  const byId = (id: string) => {
    const element = document.getElementById(id);
    if (element === null) throw new Error(`The page has no #${id}`);
    return element;
  };

  /** Replaces the rows of `#id`'s body; `empty` fills one row when there are none. */
  function rows(id: string, data: Cell[][], empty: string): void {
    const body = byId(id).querySelector('tbody')!;
    const columns = byId(id).querySelectorAll('thead th').length;
    const made = data.map((cells) => {
      const row = document.createElement('tr');
      for (const cell of cells) {
        const td = document.createElement('td');
        if (cell !== null && typeof cell === 'object') {
          td.textContent = cell.text;
          td.className = cell.className;
        } else {
          td.textContent = cell === null ? '–' : String(cell);
          if (typeof cell === 'number') td.className = 'n';
        }
        row.append(td);
      }
      return row;
    });
    if (made.length === 0) {
      const row = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = columns;
      td.className = 'empty';
      td.textContent = empty;
      row.append(td);
      made.push(row);
    }
    body.replaceChildren(...made);
  }

  const right = (text: string, className = 'n') => ({ text, className });

  function setCount(id: string, value: number): void {
    const element = byId(id);
    element.textContent = number(value, 0);
    element.dataset.value = String(value);
  }

  return {
    showState(state: string, why?: string): void {
      byId('status').dataset.state = state;
      byId('status-text').textContent =
        why === undefined ? (STATES[state] ?? state) : `${STATES[state] ?? state}: ${why}`;
    },

    render(snapshot: InspectorSnapshot): void {
      const span = `${number(snapshot.windowMs / 1000, 0)} s`;
      byId('updated').textContent =
        `Updated ${new Date(snapshot.at).toLocaleTimeString()} · window ${span}`;

      const { connections, subscriptions } = snapshot;
      setCount('connections-open', connections.open);
      byId('connections-detail').textContent =
        `${number(connections.accepted, 0)} accepted · ${number(connections.pending, 0)} pending · ${number(connections.opened.recent, 0)} opened in the last ${span}`;
      const origins: Cell[][] = connections.byOrigin.map((row) => [
        row.origin ?? '(no Origin: not a browser)',
        row.count,
      ]);
      if (connections.otherOrigins > 0)
        origins.push([right('(other origins)', 'empty'), connections.otherOrigins]);
      rows('origins', origins, 'No connections');
      rows(
        'refused',
        connections.refused.map((row) => [row.reason, row.recent, row.total]),
        'None refused',
      );
      const closed: Cell[][] = connections.closed.map((row) => [String(row.code), row.total]);
      if (connections.otherCloses > 0)
        closed.push([right('(other codes)', 'empty'), connections.otherCloses]);
      rows('closed', closed, 'None closed yet');

      setCount('subscriptions-open', subscriptions.open);
      const topics: Cell[][] = subscriptions.byTopic.map((row) => [
        row.topic,
        row.subscribers,
        row.presence === undefined
          ? null
          : row.presence.error !== undefined
            ? { text: `unavailable: ${row.presence.error}`, className: 'bad' }
            : row.presence.count === 0
              ? null
              : {
                  text:
                    row.presence.members.join(', ') +
                    (row.presence.count > row.presence.members.length
                      ? ` and ${row.presence.count - row.presence.members.length} more`
                      : ''),
                  className: 'members',
                },
      ]);
      if (subscriptions.otherTopics > 0)
        topics.push([right('(other topics)', 'empty'), subscriptions.otherTopics, null]);
      rows('topics', topics, 'No topic subscriptions');
      rows(
        'paths',
        subscriptions.byPath.map((row) => [row.path, row.count]),
        'No subscriptions',
      );

      byId('procedures-detail').textContent =
        `${number(snapshot.callsInFlight, 0)} calls in flight · rates and latency over the last ${span}`;
      rows(
        'procedures',
        snapshot.procedures.map((row) => [
          row.path ?? '(other procedures)',
          row.type ?? '',
          row.callsPerSecond,
          row.errorsPerSecond > 0 ? right(number(row.errorsPerSecond), 'n bad') : 0,
          row.calls.total,
          row.errors.total > 0 ? right(number(row.errors.total, 0), 'n bad') : 0,
          right(ms(row.p50)),
          right(ms(row.p95)),
          right(ms(row.p99)),
          right(ms(row.max)),
          row.errorsByCode.map((entry) => `${entry.code} ×${entry.count}`).join(', '),
        ]),
        'No calls yet',
      );

      rows(
        'slow',
        snapshot.slowConsumers.map((row) => [
          row.connectionId,
          [row.origin, row.clientAddress].filter((part) => part !== null).join(' · '),
          row.dropped,
          row.pauses,
          row.open ? 'open' : 'closed',
        ]),
        'Nobody is falling behind',
      );
      rows(
        'limits',
        snapshot.limits.map((row) => [row.limit, row.recent, row.total]),
        'No limit hit',
      );

      const rate = (label: string, value: Rate, format: (n: number) => string): Cell[] => [
        label,
        right(format(value.perSecond)),
        right(format(value.total)),
      ];
      const count = (n: number) => number(n);
      rows(
        'traffic',
        [
          rate('Bytes in', snapshot.bytes.in, bytes),
          rate('Bytes out', snapshot.bytes.out, bytes),
          rate('Events delivered', snapshot.events.delivered, count),
          rate('Events dropped', snapshot.events.dropped, count),
          [
            'Engine publish failures',
            right(number(snapshot.engine.publishFailures.recent, 0)),
            right(number(snapshot.engine.publishFailures.total, 0)),
          ],
          ['Engine reconnections', right('–'), right(number(snapshot.engine.reconnections, 0))],
        ],
        '',
      );
    },
  };
}
