// The Blocklists page's logic: reading the ids an operator typed, the block durations it offers,
// and how long a block has left. Pure, so that it is unit-tested; the server stays the final
// judge of every id (it canonicalizes IPs with inet_pton).

// Which list: the path segment under /blocked-clients/.
export type BlockKind = 'ips' | 'users';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

// What the server takes in one request (its kMaxIdsPerRequest).
export const MAX_IDS = 1000;

// The server's longest block: 366 days, so that a typo cannot block for ever.
export const MAX_BLOCK_MILLIS = 366 * 24 * 3600 * 1000;

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// The durations offered, shortest first; "minutes" is the one where the operator types a number.
export const DURATION_PRESETS = [
  { key: '10m', label: '10 minutes', millis: 10 * MINUTE },
  { key: '1h', label: '1 hour', millis: HOUR },
  { key: '1d', label: '1 day', millis: DAY },
  { key: '7d', label: '7 days', millis: 7 * DAY },
  { key: '30d', label: '30 days', millis: 30 * DAY },
] as const;
export const CUSTOM_DURATION = 'minutes';

// IPs as text, user ids as numbers: the JSON the server's POST takes.
export type BlockId = string | number;

// "1, 2 3\n4" -> [1, 2, 3, 4]: commas and any whitespace separate; repeats are dropped so that
// the count in the confirmation is what was blocked.
export function parseIds(kind: BlockKind, text: string): Parsed<BlockId[]> {
  const words = text.split(/[\s,]+/).filter((word) => word !== '');
  if (words.length === 0) {
    return { ok: false, error: kind === 'ips' ? 'Enter an IP address.' : 'Enter a user id.' };
  }
  const ids: BlockId[] = [];
  for (const word of words) {
    const id = kind === 'ips' ? parseIp(word) : parseUserId(word);
    if (id === null) {
      const what =
        kind === 'ips'
          ? 'an IPv4 or IPv6 address.'
          : `a user id: a user id is a whole number from 1 to ${Number.MAX_SAFE_INTEGER}.`;
      return { ok: false, error: `"${word}" is not ${what}` };
    }
    if (!ids.includes(id)) ids.push(id);
  }
  if (ids.length > MAX_IDS) {
    return { ok: false, error: `At most ${MAX_IDS} ids at once (${ids.length} given).` };
  }
  return { ok: true, value: ids };
}

// Digits only (no sign, exponent or fraction), and small enough that JSON keeps it exact.
export function parseUserId(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

// The text as typed when it looks like an address; the server canonicalizes it, so that
// "2001:DB8::0:1" and "2001:db8::1" are one entry.
export function parseIp(text: string): string | null {
  return isIpv4(text) || isIpv6(text) ? text : null;
}

// Four dotted decimals, 0..255, without leading zeros (inet_pton refuses "010.0.0.1").
export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return (
    parts.length === 4 &&
    parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255)
  );
}

// Up to eight groups of 1..4 hex digits, at most one "::" standing for the missing ones, and an
// IPv4 address in the last two groups' place (::ffff:192.0.2.1). No zone ("%eth0"): a blocklist
// entry is an address as the gateway sees it.
export function isIpv6(text: string): boolean {
  if (!text.includes(':')) return false;
  // An IPv4 tail stands for two groups: check it, then count it as "0:0".
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  let body = text;
  if (tail.includes('.')) {
    if (!isIpv4(tail)) return false;
    body = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  if (!groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
  return halves.length === 2 ? groups.length <= 7 : groups.length === 8;
}

// The milliseconds of the chosen preset, or of the minutes typed for CUSTOM_DURATION.
export function durationMillis(choice: string, minutesText: string): Parsed<number> {
  const preset = DURATION_PRESETS.find((p) => p.key === choice);
  if (preset) return { ok: true, value: preset.millis };
  if (choice !== CUSTOM_DURATION) return { ok: false, error: `Unknown duration "${choice}".` };
  const maxMinutes = MAX_BLOCK_MILLIS / MINUTE;
  const text = minutesText.trim();
  const minutes = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(minutes) || minutes <= 0 || minutes > maxMinutes) {
    return {
      ok: false,
      error: `Minutes are a whole number from 1 to ${maxMinutes} (366 days).`,
    };
  }
  return { ok: true, value: minutes * MINUTE };
}

// "1 hour" for a preset, "90 minutes" for typed minutes: how the confirmation names a duration.
export function durationLabel(millis: number): string {
  const preset = DURATION_PRESETS.find((p) => p.millis === millis);
  if (preset) return preset.label;
  const minutes = Math.round(millis / MINUTE);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

// How long until the block ends, in its two largest units: "1 d 4 h left", "59 min 5 s left".
// Rounded up, so that a block just made for an hour reads "1 h left", and "expired" once it
// ended (the server drops expired entries at its next read).
export function formatRemaining(endMillis: number, nowMillis: number): string {
  const left = endMillis - nowMillis;
  if (!Number.isFinite(left)) return '–';
  if (left <= 0) return 'expired';
  let seconds = Math.ceil(left / 1000);
  const units: [string, number][] = [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [name, size] of units) {
    const amount = Math.floor(seconds / size);
    seconds -= amount * size;
    if (amount > 0 || parts.length > 0) parts.push(amount > 0 ? `${amount} ${name}` : '');
    if (parts.length === 2) break;
  }
  return `${parts.filter((part) => part !== '').join(' ')} left`;
}
