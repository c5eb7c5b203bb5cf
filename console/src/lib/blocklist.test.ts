import { describe, expect, it } from 'vitest';
import {
  CUSTOM_DURATION,
  durationLabel,
  durationMillis,
  formatRemaining,
  isIpv4,
  isIpv6,
  MAX_IDS,
  parseIds,
  parseUserId,
} from './blocklist';

// The error of a failed parse; fails the test when it succeeded.
function refusal(parsed: { ok: true } | { ok: false; error: string }): string {
  if (parsed.ok) throw new Error('the parse succeeded');
  return parsed.error;
}

describe('parseIds', () => {
  it('splits user ids on commas and any whitespace, as numbers, without repeats', () => {
    expect(parseIds('users', ' 424242, 7 8\n9,,7 ')).toEqual({
      ok: true,
      value: [424242, 7, 8, 9],
    });
    expect(parseIds('users', String(Number.MAX_SAFE_INTEGER))).toEqual({
      ok: true,
      value: [Number.MAX_SAFE_INTEGER],
    });
  });

  it('keeps IPs as text, as typed, for the server to canonicalize', () => {
    expect(parseIds('ips', '203.0.113.9, 2001:DB8::1 ::ffff:192.0.2.1')).toEqual({
      ok: true,
      value: ['203.0.113.9', '2001:DB8::1', '::ffff:192.0.2.1'],
    });
  });

  it('refuses an empty list', () => {
    expect(refusal(parseIds('users', ' , \n'))).toBe('Enter a user id.');
    expect(refusal(parseIds('ips', ''))).toBe('Enter an IP address.');
  });

  it('refuses user ids that are not positive safe integers, naming the first', () => {
    for (const bad of ['0', '-5', '1.5', '1e3', 'abc', '+7', '0x10', '9007199254740993']) {
      expect(refusal(parseIds('users', `1 ${bad} 2`))).toContain(`"${bad}" is not a user id`);
    }
  });

  it('refuses text that is no address', () => {
    for (const bad of ['example.com', '256.1.1.1', '10.0.0.0/8', '1.2.3', '1::2::3', 'localhost']) {
      expect(refusal(parseIds('ips', bad))).toBe(`"${bad}" is not an IPv4 or IPv6 address.`);
    }
  });

  it('refuses more ids than the server takes at once', () => {
    const many = Array.from({ length: MAX_IDS + 1 }, (_, i) => i + 1).join(',');
    expect(refusal(parseIds('users', many))).toBe(`At most ${MAX_IDS} ids at once (1001 given).`);
    expect(parseIds('users', many.slice(0, many.lastIndexOf(',')))).toMatchObject({ ok: true });
  });
});

describe('parseUserId', () => {
  it('reads digits only', () => {
    expect(parseUserId('42')).toBe(42);
    expect(parseUserId('042')).toBe(42);
    expect(parseUserId(' 42')).toBeNull();
    expect(parseUserId('')).toBeNull();
  });
});

describe('addresses', () => {
  it('IPv4: four decimals up to 255, no leading zeros', () => {
    for (const good of ['0.0.0.0', '127.0.0.1', '203.0.113.9', '255.255.255.255']) {
      expect(isIpv4(good), good).toBe(true);
    }
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.-4', '1..3.4', '']) {
      expect(isIpv4(bad), bad).toBe(false);
    }
  });

  it('IPv6: eight groups, or fewer with one "::", or an IPv4 tail', () => {
    for (const good of [
      '::',
      '::1',
      '2001:db8::1',
      '2001:0DB8:0000:0000:0000:0000:0000:0001',
      '1:2:3:4:5:6:7::',
      '::ffff:192.0.2.1',
      '64:ff9b::203.0.113.9',
      '1:2:3:4:5:6:1.2.3.4',
    ]) {
      expect(isIpv6(good), good).toBe(true);
    }
    for (const bad of [
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      ':1:2:3:4:5:6:7',
      '12345::1',
      'g::1',
      'fe80::1%eth0',
      '[::1]',
      '1.2.3.4::',
      '::1.2.3',
      '1:2:3:4:5:6:7:1.2.3.4',
      '1.2.3.4',
    ]) {
      expect(isIpv6(bad), bad).toBe(false);
    }
  });
});

describe('durationMillis', () => {
  it('reads the presets', () => {
    expect(durationMillis('10m', '')).toEqual({ ok: true, value: 600_000 });
    expect(durationMillis('1h', 'ignored')).toEqual({ ok: true, value: 3_600_000 });
    expect(durationMillis('1d', '')).toEqual({ ok: true, value: 86_400_000 });
    expect(durationMillis('30d', '')).toEqual({ ok: true, value: 2_592_000_000 });
  });

  it('reads typed minutes up to the server limit of 366 days', () => {
    expect(durationMillis(CUSTOM_DURATION, ' 90 ')).toEqual({ ok: true, value: 5_400_000 });
    expect(durationMillis(CUSTOM_DURATION, '527040')).toEqual({ ok: true, value: 31_622_400_000 });
  });

  it('refuses minutes that are not a whole number in range', () => {
    for (const bad of ['', '0', '-1', '1.5', 'ten', '527041', '1e3']) {
      expect(refusal(durationMillis(CUSTOM_DURATION, bad)), bad).toBe(
        'Minutes are a whole number from 1 to 527040 (366 days).',
      );
    }
    expect(refusal(durationMillis('forever', ''))).toBe('Unknown duration "forever".');
  });

  it('names a duration for the confirmation', () => {
    expect(durationLabel(3_600_000)).toBe('1 hour');
    expect(durationLabel(5_400_000)).toBe('90 minutes');
    expect(durationLabel(60_000)).toBe('1 minute');
  });
});

describe('formatRemaining', () => {
  const now = Date.UTC(2026, 11, 7, 12, 0, 0);
  it('shows the two largest units, rounded up', () => {
    expect(formatRemaining(now + 3_600_000 - 20, now)).toBe('1 h left');
    expect(formatRemaining(now + 3_545_000, now)).toBe('59 min 5 s left');
    expect(formatRemaining(now + 12_000, now)).toBe('12 s left');
    expect(formatRemaining(now + 1, now)).toBe('1 s left');
    expect(formatRemaining(now + 86_400_000 + 4 * 3_600_000 + 59_000, now)).toBe('1 d 4 h left');
    expect(formatRemaining(now + 30 * 86_400_000 + 30_000, now)).toBe('30 d left');
  });

  it('says when a block has ended', () => {
    expect(formatRemaining(now, now)).toBe('expired');
    expect(formatRemaining(now - 5000, now)).toBe('expired');
    expect(formatRemaining(Number.NaN, now)).toBe('–');
  });
});
