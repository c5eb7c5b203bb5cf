// The metrics stream's snapshots (GET /metrics/stream) and what the charts show of them. Counters
// are totals since the node started; rates come from two consecutive snapshots.

export type CounterMap = Record<string, number>;

export interface Snapshot {
  time: number; // Unix milliseconds on the node
  node: string;
  sessions: number;
  onlineUsers: number | null; // the cluster's, from the session registry
  liveNodes: number; // the cluster's, this node included
  connections: CounterMap; // open now, by transport
  connectionsOpened: CounterMap;
  requestsByKind: CounterMap;
  requestsByCode: CounterMap;
  loginsByCode: CounterMap;
  latency: { bounds: (number | null)[]; counts: number[] }; // cumulative; null bound = +Inf
  heartbeats: number;
  residentMemoryBytes: number;
  loadAverage?: number | null; // the node's machine, over one minute
  // The other live nodes' last published figures (the same fields), when clustered.
  cluster?: Snapshot[];
}

// One second of the charts.
export interface Point {
  time: number; // Unix seconds, as uPlot wants them
  sessions: number;
  onlineUsers: number | null;
  liveNodes: number;
  connections: CounterMap;
  messagesPerSecond: number | null;
  loginsPerSecond: number | null;
  requestsPerSecond: number | null;
  p50Seconds: number | null;
  p99Seconds: number | null;
  errorsPerSecond: CounterMap; // by Turms status code
}

// The request kind a sent message is counted under.
export const MESSAGE_KIND = 'create_message_request';

// Turms status codes below this are successes (1000 OK, 1001 no content, 1002 up to date).
const FIRST_ERROR_CODE = 1100;

export function sum(values: CounterMap): number {
  return Object.values(values).reduce((total, value) => total + value, 0);
}

// Per second between two readings of a counter; null when there is no interval or the counter
// went back (the node restarted), where a rate would be a lie.
export function rate(previous: number, next: number, seconds: number): number | null {
  if (!(seconds > 0) || next < previous) {
    return null;
  }
  return (next - previous) / seconds;
}

// Prometheus' histogram_quantile: the bucket where the q-th observation falls, interpolated
// linearly inside it. `counts` are cumulative per bound. Null without observations. An answer in
// the +Inf bucket is the largest finite bound: all that is known is that it is larger.
export function quantile(q: number, bounds: (number | null)[], counts: number[]): number | null {
  const total = counts.length > 0 ? counts[counts.length - 1] : 0;
  if (!(total > 0) || bounds.length !== counts.length) {
    return null;
  }
  const rank = q * total;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] >= rank) {
      const upper = bounds[i];
      if (upper === null) {
        return i > 0 ? bounds[i - 1] : null;
      }
      const lower = i > 0 ? (bounds[i - 1] as number) : 0;
      const below = i > 0 ? counts[i - 1] : 0;
      const inBucket = counts[i] - below;
      return inBucket > 0 ? lower + ((upper - lower) * (rank - below)) / inBucket : upper;
    }
  }
  return null;
}

function difference(previous: number[], next: number[]): number[] {
  return next.map((value, i) => Math.max(0, value - (previous[i] ?? 0)));
}

// The latency observations between two snapshots, cumulative per bound (all zero without a
// previous one).
export function latencyIncrease(previous: Snapshot | null, next: Snapshot): number[] {
  return previous
    ? difference(previous.latency.counts, next.latency.counts)
    : next.latency.counts.map(() => 0);
}

// The chart point for the second that ends with `next`.
export function toPoint(previous: Snapshot | null, next: Snapshot): Point {
  const seconds = previous ? (next.time - previous.time) / 1000 : 0;
  const perSecond = (pick: (s: Snapshot) => number) =>
    previous ? rate(pick(previous), pick(next), seconds) : null;
  const recent = latencyIncrease(previous, next);
  const errorsPerSecond: CounterMap = {};
  if (previous && seconds > 0) {
    for (const [code, total] of Object.entries(next.requestsByCode)) {
      if (Number(code) < FIRST_ERROR_CODE) continue;
      const errors = rate(previous.requestsByCode[code] ?? 0, total, seconds);
      if (errors !== null) errorsPerSecond[code] = errors;
    }
  }
  return {
    time: next.time / 1000,
    sessions: next.sessions,
    onlineUsers: next.onlineUsers,
    liveNodes: next.liveNodes,
    connections: { ...next.connections },
    messagesPerSecond: perSecond((s) => s.requestsByKind[MESSAGE_KIND] ?? 0),
    loginsPerSecond: perSecond((s) => sum(s.loginsByCode)),
    requestsPerSecond: perSecond((s) => sum(s.requestsByKind)),
    p50Seconds: quantile(0.5, next.latency.bounds, recent),
    p99Seconds: quantile(0.99, next.latency.bounds, recent),
    errorsPerSecond,
  };
}

// The last `capacity` points, oldest first.
export class Window {
  readonly points: Point[] = [];

  constructor(readonly capacity: number) {}

  push(point: Point): void {
    this.points.push(point);
    if (this.points.length > this.capacity) {
      this.points.splice(0, this.points.length - this.capacity);
    }
  }

  // Every key that appears in any point's map, sorted, so that chart series stay in one order.
  keys(pick: (point: Point) => CounterMap): string[] {
    const keys = new Set<string>();
    for (const point of this.points) {
      for (const key of Object.keys(pick(point))) keys.add(key);
    }
    return [...keys].sort();
  }

  // Columns for uPlot: x (seconds) then one array per series; a missing value is null.
  columns(series: ((point: Point) => number | null | undefined)[]): (number | null)[][] {
    return [
      this.points.map((p) => p.time),
      ...series.map((pick) => this.points.map((p) => pick(p) ?? null)),
    ];
  }
}
