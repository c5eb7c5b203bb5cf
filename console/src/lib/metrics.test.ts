import { describe, expect, it } from 'vitest';
import { quantile, rate, Snapshot, sum, toPoint, Window } from './metrics';

const BOUNDS = [0.001, 0.01, 0.1, null];

function snapshot(overrides: Partial<Snapshot>): Snapshot {
  return {
    time: 1_000_000,
    node: 'parley-1',
    sessions: 0,
    onlineUsers: 0,
    liveNodes: 1,
    connections: { tcp: 0, ws: 0 },
    connectionsOpened: {},
    requestsByKind: {},
    requestsByCode: {},
    loginsByCode: {},
    latency: { bounds: BOUNDS, counts: [0, 0, 0, 0] },
    heartbeats: 0,
    residentMemoryBytes: 0,
    ...overrides,
  };
}

describe('rate', () => {
  it('is the increase per second', () => {
    expect(rate(100, 150, 2)).toBe(25);
    expect(rate(5, 5, 1)).toBe(0);
  });
  it('is null without an interval or when the counter restarted', () => {
    expect(rate(1, 2, 0)).toBeNull();
    expect(rate(500, 3, 1)).toBeNull();
  });
});

describe('quantile', () => {
  it('interpolates inside the bucket where the rank falls', () => {
    // 10 observations: 4 under 1 ms, 6 between 1 and 10 ms.
    expect(quantile(0.5, BOUNDS, [4, 10, 10, 10])).toBeCloseTo(0.0025);
    expect(quantile(0.2, BOUNDS, [4, 10, 10, 10])).toBeCloseTo(0.0005);
  });
  it('answers the largest finite bound for the +Inf bucket', () => {
    expect(quantile(0.99, BOUNDS, [0, 0, 90, 100])).toBe(0.1);
  });
  it('is null without observations', () => {
    expect(quantile(0.5, BOUNDS, [0, 0, 0, 0])).toBeNull();
  });
});

describe('toPoint', () => {
  it('turns two snapshots into per-second rates of that interval', () => {
    const before = snapshot({
      time: 10_000,
      requestsByKind: { create_message_request: 100, query_user_profiles_request: 7 },
      requestsByCode: { '1000': 105, '1100': 2 },
      loginsByCode: { '1000': 10, '2011': 1 },
      latency: { bounds: BOUNDS, counts: [50, 100, 107, 107] },
    });
    const after = snapshot({
      time: 12_000,
      sessions: 3,
      requestsByKind: { create_message_request: 140, query_user_profiles_request: 7 },
      requestsByCode: { '1000': 141, '1100': 6, '2011': 4 },
      loginsByCode: { '1000': 14, '2011': 1 },
      // The 40 new requests all took between 1 and 10 ms, whatever came before.
      latency: { bounds: BOUNDS, counts: [50, 140, 147, 147] },
    });
    const point = toPoint(before, after);
    expect(point.time).toBe(12);
    expect(point.sessions).toBe(3);
    expect(point.messagesPerSecond).toBe(20);
    expect(point.loginsPerSecond).toBe(2);
    expect(point.requestsPerSecond).toBe(20);
    expect(point.errorsPerSecond).toEqual({ '1100': 2, '2011': 2 });
    expect(point.p50Seconds).toBeCloseTo(0.0055);
    expect(point.p99Seconds).toBeGreaterThan(0.009);
    expect(point.p99Seconds).toBeLessThanOrEqual(0.01);
  });

  it('has no rates for the first snapshot', () => {
    const point = toPoint(null, snapshot({ sessions: 2 }));
    expect(point.messagesPerSecond).toBeNull();
    expect(point.p50Seconds).toBeNull();
    expect(point.sessions).toBe(2);
  });
});

describe('Window', () => {
  it('keeps the last points and lays them out as columns', () => {
    const window = new Window(2);
    for (const seconds of [1, 2, 3]) {
      window.push(toPoint(null, snapshot({ time: seconds * 1000, sessions: seconds,
        connections: seconds === 3 ? { ws: 1, quic: 2 } : { ws: 1 } })));
    }
    expect(window.points.map((p) => p.time)).toEqual([2, 3]);
    expect(window.columns([(p) => p.sessions, (p) => p.messagesPerSecond])).toEqual([
      [2, 3],
      [2, 3],
      [null, null],
    ]);
    expect(window.keys((p) => p.connections)).toEqual(['quic', 'ws']);
  });
});

describe('sum', () => {
  it('adds every value', () => {
    expect(sum({ a: 1, b: 2.5 })).toBe(3.5);
    expect(sum({})).toBe(0);
  });
});
