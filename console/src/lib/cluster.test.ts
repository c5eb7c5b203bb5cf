import { describe, expect, it } from 'vitest';
import { ClusterRates } from './cluster';
import { Snapshot } from './metrics';

function figures(node: string, seconds: number, messages: number, sessions = 1): Snapshot {
  return {
    time: seconds * 1000,
    node,
    sessions,
    onlineUsers: null,
    liveNodes: 2,
    connections: {},
    connectionsOpened: {},
    requestsByKind: { create_message_request: messages },
    requestsByCode: {},
    loginsByCode: { '1000': messages / 10 },
    latency: { bounds: [null], counts: [0] },
    heartbeats: 0,
    residentMemoryBytes: 0,
  };
}

describe('ClusterRates', () => {
  it('sums sessions at once and rates once each node has two figures', () => {
    const rates = new ClusterRates();
    const first = rates.update([figures('a', 10, 100, 3), figures('b', 10, 50, 4)]);
    expect(first).toEqual({ nodes: 2, sessions: 7, messagesPerSecond: null, loginsPerSecond: null });
    const second = rates.update([figures('a', 11, 130, 3), figures('b', 12, 90, 5)]);
    // a: 30 in 1 s; b: 40 in 2 s.
    expect(second.messagesPerSecond).toBe(50);
    expect(second.loginsPerSecond).toBe(5);
    expect(second.sessions).toBe(8);
  });

  it('keeps a node at its last rate while its figures do not change', () => {
    const rates = new ClusterRates();
    rates.update([figures('a', 10, 0), figures('b', 10, 0)]);
    rates.update([figures('a', 11, 10), figures('b', 11, 20)]);
    // b published nothing new this second: its 20/s still counts, not 0 and not a gap.
    expect(rates.update([figures('a', 12, 20), figures('b', 11, 20)]).messagesPerSecond).toBe(30);
  });

  it('changes the sum by a joining or leaving node share only', () => {
    const rates = new ClusterRates();
    rates.update([figures('a', 10, 0)]);
    expect(rates.update([figures('a', 11, 10)]).messagesPerSecond).toBe(10);
    // b joins with a large counter: no rate for it yet, and no jump.
    expect(rates.update([figures('a', 12, 20), figures('b', 12, 1_000_000)]).messagesPerSecond).toBe(10);
    // b leaves: the sum is a's alone again.
    const after = rates.update([figures('a', 13, 30)]);
    expect(after).toEqual({ nodes: 1, sessions: 1, messagesPerSecond: 10, loginsPerSecond: 1 });
  });

  it('gives no rate for a node whose counter went back (it restarted)', () => {
    const rates = new ClusterRates();
    rates.update([figures('a', 10, 500)]);
    expect(rates.update([figures('a', 11, 3)]).messagesPerSecond).toBeNull();
  });

  it('counts a node listed twice once', () => {
    const rates = new ClusterRates();
    expect(rates.update([figures('a', 10, 0, 2), figures('a', 10, 0, 2)]).sessions).toBe(2);
  });
});
