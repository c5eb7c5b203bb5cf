import { describe, expect, it } from 'vitest';
import { ClusterRates } from './cluster';
import { Point, Snapshot } from './metrics';

const BOUNDS = [0.001, 0.01, null];

function figures(
  node: string,
  seconds: number,
  messages: number,
  overrides: Partial<Snapshot> = {},
): Snapshot {
  return {
    time: seconds * 1000,
    node,
    sessions: 1,
    onlineUsers: 7,
    liveNodes: 2,
    connections: { ws: 1 },
    connectionsOpened: {},
    requestsByKind: { create_message_request: messages },
    requestsByCode: { '1000': messages },
    loginsByCode: { '1000': messages / 10 },
    latency: { bounds: BOUNDS, counts: [0, 0, 0] },
    heartbeats: 0,
    residentMemoryBytes: 0,
    ...overrides,
  };
}

// The cluster's point for an event from node `a` carrying every node's figures.
function update(rates: ClusterRates, nodes: Snapshot[]): Point {
  return rates.update(nodes[0], nodes);
}

describe('ClusterRates', () => {
  it('sums sessions and connections at once, and rates once each node has two figures', () => {
    const rates = new ClusterRates();
    const first = update(rates, [
      figures('a', 10, 100, { sessions: 3, connections: { ws: 2, tcp: 1 } }),
      figures('b', 10, 50, { sessions: 4, connections: { ws: 5 } }),
    ]);
    expect(first.sessions).toBe(7);
    expect(first.connections).toEqual({ ws: 7, tcp: 1 });
    expect(first.messagesPerSecond).toBeNull();
    expect(first.onlineUsers).toBe(7); // this node's view of the registry: the cluster's already
    const second = update(rates, [figures('a', 11, 130), figures('b', 12, 90)]);
    // a: 30 in 1 s; b: 40 in 2 s.
    expect(second.messagesPerSecond).toBe(50);
    expect(second.loginsPerSecond).toBe(5);
    expect(second.requestsPerSecond).toBe(50);
  });

  it('keeps a node at its last rate while its figures do not change', () => {
    const rates = new ClusterRates();
    update(rates, [figures('a', 10, 0), figures('b', 10, 0)]);
    update(rates, [figures('a', 11, 10), figures('b', 11, 20)]);
    // b published nothing new this second: its 20/s still counts, not 0 and not a gap.
    expect(update(rates, [figures('a', 12, 20), figures('b', 11, 20)]).messagesPerSecond).toBe(30);
  });

  it('changes the sum by a joining or leaving node share only', () => {
    const rates = new ClusterRates();
    update(rates, [figures('a', 10, 0)]);
    expect(update(rates, [figures('a', 11, 10)]).messagesPerSecond).toBe(10);
    // b joins with a large counter: no rate for it yet, and no jump.
    expect(update(rates, [figures('a', 12, 20), figures('b', 12, 1_000_000)]).messagesPerSecond).toBe(10);
    // b leaves: the sum is a's alone again.
    const after = update(rates, [figures('a', 13, 30)]);
    expect(after.messagesPerSecond).toBe(10);
    expect(after.sessions).toBe(1);
  });

  it('adds errors by code and takes latency quantiles of the summed histograms', () => {
    const rates = new ClusterRates();
    update(rates, [
      figures('a', 10, 0, { requestsByCode: { '1201': 0 } }),
      figures('b', 10, 0, { requestsByCode: { '1201': 0, '1102': 0 } }),
    ]);
    const point = update(rates, [
      // a: 10 fast requests; b: 10 slow ones and errors.
      figures('a', 11, 0, { requestsByCode: { '1201': 2 }, latency: { bounds: BOUNDS, counts: [10, 10, 10] } }),
      figures('b', 11, 0, {
        requestsByCode: { '1201': 3, '1102': 1 },
        latency: { bounds: BOUNDS, counts: [0, 10, 10] },
      }),
    ]);
    expect(point.errorsPerSecond).toEqual({ '1201': 5, '1102': 1 });
    // 20 observations: the 10th within the first bucket, the 20th in the second.
    expect(point.p50Seconds).toBeCloseTo(0.001);
    expect(point.p99Seconds).toBeGreaterThan(0.001);
    expect(point.p99Seconds).toBeLessThanOrEqual(0.01);
  });

  it('gives no rate for a node whose counter went back (it restarted)', () => {
    const rates = new ClusterRates();
    update(rates, [figures('a', 10, 500)]);
    expect(update(rates, [figures('a', 11, 3)]).messagesPerSecond).toBeNull();
  });

  it('counts a node listed twice once', () => {
    const rates = new ClusterRates();
    expect(update(rates, [figures('a', 10, 0), figures('a', 10, 0)]).sessions).toBe(1);
  });
});
