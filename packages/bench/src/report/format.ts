// How numbers read in the table and the chart.

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A figure with its unit: `1,234 µs`, `41,900`, `10,100 B`. Small values keep decimals. */
export function formatValue(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  const magnitude = Math.abs(value);
  const number = (magnitude < 10 ? twoDecimals : magnitude < 100 ? oneDecimal : integer).format(
    value,
  );
  return unit === 'µs' || unit === 'B' || unit === 'ms' ? `${number} ${unit}` : number;
}

/** A ratio such as `1.08×`. */
export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return 'n/a';
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/** Bytes as kB (1,000 bytes), one decimal. */
export function formatKb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

/** `12345` → `12,345`. */
export function formatCount(n: number): string {
  return integer.format(n);
}
