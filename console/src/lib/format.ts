// How numbers, durations and dates read in the console. Pure, so that they are unit-tested.

const DASH = '–';

// 1234567 -> "1,234,567"; fractions keep up to one decimal.
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

// Per second, short enough for a tile: "0/s", "12.5/s", "3.4k/s", "1.2M/s".
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim(value / 1e6)}M/s`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k/s`;
  return `${trim(value)}/s`;
}

// Seconds as the unit a latency reads best in: "250 µs", "3.2 ms", "1.25 s".
export function formatSeconds(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (value < 0.001) return `${Math.round(value * 1e6)} µs`;
  if (value < 1) return `${trim(value * 1e3)} ms`;
  return `${value.toFixed(2)} s`;
}

export function formatBytes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return `${unit === 0 ? scaled : trim(scaled)} ${units[unit]}`;
}

// A machine's load average, as uptime prints it: "0.42", "12.00".
export function formatLoad(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return value.toFixed(2);
}

// Unix milliseconds as UTC, the time zone of server logs: "2026-12-07 16:51:37 UTC".
export function formatDate(millis: number | null | undefined): string {
  if (millis === null || millis === undefined || !Number.isFinite(millis) || millis <= 0) {
    return DASH;
  }
  return `${new Date(millis).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

// One decimal below 100, none above, without a trailing ".0".
function trim(value: number): string {
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(1);
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}
