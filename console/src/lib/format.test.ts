import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatDate,
  formatLoad,
  formatRate,
  formatSeconds,
} from './format';

describe('format', () => {
  it('counts with separators', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(2.25)).toBe('2.3');
    expect(formatCount(null)).toBe('–');
  });

  it('load averages with two decimals, as uptime', () => {
    expect(formatLoad(0.421)).toBe('0.42');
    expect(formatLoad(12)).toBe('12.00');
    expect(formatLoad(null)).toBe('–');
  });

  it('rates with a short suffix', () => {
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(12.46)).toBe('12.5/s');
    expect(formatRate(3456)).toBe('3.5k/s');
    expect(formatRate(250_000)).toBe('250k/s');
    expect(formatRate(1_200_000)).toBe('1.2M/s');
    expect(formatRate(Number.NaN)).toBe('–');
  });

  it('latencies in the unit that reads best', () => {
    expect(formatSeconds(0.00025)).toBe('250 µs');
    expect(formatSeconds(0.0032)).toBe('3.2 ms');
    expect(formatSeconds(0.25)).toBe('250 ms');
    expect(formatSeconds(1.25)).toBe('1.25 s');
    expect(formatSeconds(null)).toBe('–');
  });

  it('bytes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
  });

  it('dates in UTC, and none for 0', () => {
    expect(formatDate(Date.UTC(2026, 11, 7, 16, 51, 37))).toBe('2026-12-07 16:51:37 UTC');
    expect(formatDate(0)).toBe('–');
  });
});
