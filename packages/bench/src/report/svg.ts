// A bar chart of every target's ratio to raw ws, hand-written as SVG so the README can
// embed it without a chart library. Log scale, centred on 1× (= raw ws).
import type { TargetName } from '../targets/target.js';
import { formatRatio } from './format.js';
import type { BenchResults } from './results.js';

const WIDTH = 820;
const LABEL_X = 16;
const PLOT_LEFT = 250;
const PLOT_RIGHT = WIDTH - 60;
const CENTER = (PLOT_LEFT + PLOT_RIGHT) / 2;
const BAR = 13;
const BAR_GAP = 3;
const GROUP_GAP = 16;
const TOP = 78;

const COLORS: Record<TargetName, string> = {
  'raw-ws': '#6b7280',
  volley: '#7c3aed',
  'volley-otel': '#a78bfa',
  trpc: '#2563eb',
  'socket-io': '#d97706',
};

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function toSvg(results: BenchResults): string {
  const targets = results.targets.filter((t) => t.name !== results.baseline);
  const metrics = results.metrics.filter((metric) =>
    targets.some((t) => metric.byTarget[t.name]?.ratio != null),
  );
  const ratios = metrics.flatMap((metric) =>
    targets
      .map((t) => metric.byTarget[t.name]?.ratio)
      .filter((r): r is number => r != null && r > 0),
  );
  // Enough powers of two either side of 1× for the largest ratio, at most 64×.
  const span = Math.min(
    6,
    Math.max(1, Math.ceil(Math.max(0, ...ratios.map((r) => Math.abs(Math.log2(r)))))),
  );
  const half = (PLOT_RIGHT - PLOT_LEFT) / 2;
  const x = (ratio: number) =>
    CENTER + (Math.max(-span, Math.min(span, Math.log2(ratio))) / span) * half;

  // Tall enough for the two-line label on the left, or for the bars if there are more.
  const groupHeight = Math.max(34, targets.length * (BAR + BAR_GAP)) + GROUP_GAP;
  const plotBottom = TOP + metrics.length * groupHeight;
  const height = plotBottom + 40;
  const out: string[] = [];

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LABEL_X}" y="24" font-size="15" font-weight="600" fill="#111827">Ratio to raw ws, measured in the same run</text>`,
    `<text x="${LABEL_X}" y="42" fill="#4b5563">Log scale; 1× is raw ws. Median of ${results.reps} repetition${results.reps === 1 ? '' : 's'}${results.quick ? ' (quick run)' : ''}.</text>`,
  );
  let legendX = LABEL_X;
  for (const target of targets) {
    out.push(
      `<rect x="${legendX}" y="54" width="12" height="12" rx="2" fill="${COLORS[target.name]}"/>`,
      `<text x="${legendX + 17}" y="64" fill="#111827">${escapeXml(target.label)}</text>`,
    );
    legendX += 30 + target.label.length * 6.5;
  }

  for (let power = -span; power <= span; power++) {
    const tickX = x(2 ** power).toFixed(1);
    const label = power >= 0 ? `${2 ** power}×` : `1/${2 ** -power}×`;
    out.push(
      `<line x1="${tickX}" y1="${TOP - 6}" x2="${tickX}" y2="${plotBottom}" stroke="${power === 0 ? '#111827' : '#e5e7eb'}" stroke-width="${power === 0 ? 1.5 : 1}"/>`,
      `<text x="${tickX}" y="${plotBottom + 16}" text-anchor="middle" fill="#4b5563">${label}</text>`,
    );
  }

  metrics.forEach((metric, index) => {
    const groupTop = TOP + index * groupHeight;
    out.push(
      `<text x="${LABEL_X}" y="${groupTop + 12}" font-weight="600" fill="#111827">${escapeXml(metric.short)}</text>`,
      `<text x="${LABEL_X}" y="${groupTop + 27}" fill="#6b7280">${metric.better} is better</text>`,
    );
    targets.forEach((target, row) => {
      const y = groupTop + row * (BAR + BAR_GAP);
      const ratio = metric.byTarget[target.name]?.ratio;
      if (ratio == null || !(ratio > 0)) {
        out.push(`<text x="${CENTER + 6}" y="${y + 10}" fill="#9ca3af">n/a</text>`);
        return;
      }
      const end = x(ratio);
      const left = Math.min(end, CENTER);
      const width = Math.max(1, Math.abs(end - CENTER));
      const labelX = ratio >= 1 ? end + 4 : end - 4;
      out.push(
        `<rect x="${left.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${BAR}" rx="2" fill="${COLORS[target.name]}"><title>${escapeXml(`${target.label}: ${formatRatio(ratio)} raw ws (${metric.label})`)}</title></rect>`,
        `<text x="${labelX.toFixed(1)}" y="${y + 10}" text-anchor="${ratio >= 1 ? 'start' : 'end'}" fill="#111827">${formatRatio(ratio)}</text>`,
      );
    });
  });

  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
