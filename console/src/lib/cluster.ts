// The cluster's chart points on the Overview: the sum over every live node of what it published
// (GET /metrics/stream carries this node's snapshot and, under "cluster", the others' last
// ones). Each node's rates come from its own consecutive figures, so a node joining or leaving
// changes a sum by its own share, never by a jump of its whole counter. Latency quantiles come
// from the nodes' latency histograms added bucket by bucket, as Prometheus would sum them.
import { CounterMap, latencyIncrease, Point, quantile, Snapshot, toPoint } from './metrics';

// What one node's last two figures gave.
interface NodeRates {
  point: Point;
  latency: number[]; // observations per bucket between the two figures
}

export class ClusterRates {
  // Each node's last figures and the rates they gave.
  private readonly last = new Map<string, { figures: Snapshot; rates: NodeRates }>();

  // The cluster's point for one event: `self` is this node's snapshot (its onlineUsers and
  // liveNodes are the cluster's already), `figures` every live node's, this one included.
  update(self: Snapshot, figures: Snapshot[]): Point {
    const seen = new Set<string>();
    const nodes: NodeRates[] = [];
    for (const node of figures) {
      if (seen.has(node.node)) continue; // a node listed twice counts once
      seen.add(node.node);
      const before = this.last.get(node.node);
      if (!before) {
        this.last.set(node.node, { figures: node, rates: ratesBetween(null, node) });
      } else if (node.time > before.figures.time) {
        this.last.set(node.node, { figures: node, rates: ratesBetween(before.figures, node) });
      }
      // Otherwise the same figures again (the node has not published since): its last rates hold.
      nodes.push(this.last.get(node.node)!.rates);
    }
    // Nodes that left are forgotten: if they come back, their rates start again.
    for (const id of [...this.last.keys()]) {
      if (!seen.has(id)) this.last.delete(id);
    }
    return sumOf(self, nodes);
  }

  // After a gap in the stream, rates restart from the next figures.
  reset(): void {
    this.last.clear();
  }
}

function ratesBetween(previous: Snapshot | null, next: Snapshot): NodeRates {
  return { point: toPoint(previous, next), latency: latencyIncrease(previous, next) };
}

// Adds b into a; a value missing on one side counts as 0.
function addInto(a: CounterMap, b: CounterMap): void {
  for (const [key, value] of Object.entries(b)) a[key] = (a[key] ?? 0) + value;
}

// Null while no node has a rate yet; otherwise the sum of the nodes that have one.
function sumRates(values: (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length > 0 ? known.reduce((total, value) => total + value, 0) : null;
}

function sumOf(self: Snapshot, nodes: NodeRates[]): Point {
  const connections: CounterMap = {};
  const errorsPerSecond: CounterMap = {};
  for (const { point } of nodes) {
    addInto(connections, point.connections);
    addInto(errorsPerSecond, point.errorsPerSecond);
  }
  // Histograms add up only over the same buckets: this node's (every node of one version).
  const bounds = self.latency.bounds;
  const latency = bounds.map(() => 0);
  for (const node of nodes) {
    if (node.latency.length !== bounds.length) continue;
    node.latency.forEach((count, i) => (latency[i] += count));
  }
  return {
    time: self.time / 1000,
    sessions: nodes.reduce((total, { point }) => total + point.sessions, 0),
    onlineUsers: self.onlineUsers,
    liveNodes: self.liveNodes,
    connections,
    messagesPerSecond: sumRates(nodes.map(({ point }) => point.messagesPerSecond)),
    loginsPerSecond: sumRates(nodes.map(({ point }) => point.loginsPerSecond)),
    requestsPerSecond: sumRates(nodes.map(({ point }) => point.requestsPerSecond)),
    // Differences of cumulative bucket counts, added: still cumulative, as quantile() wants.
    p50Seconds: quantile(0.5, bounds, latency),
    p99Seconds: quantile(0.99, bounds, latency),
    errorsPerSecond,
  };
}
