// Live charts from the node's metrics stream, one point a second, the last five minutes: of this
// node, or of the whole cluster (every live node's published figures summed, lib/cluster.ts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { Chart, color } from '../components/chart';
import { formatBytes, formatCount, formatRate, formatSeconds } from '../lib/format';
import { ClusterRates } from '../lib/cluster';
import { Point, Snapshot, toPoint, Window } from '../lib/metrics';
import { openMetricsStream, StreamState } from '../lib/stream';
import { PageProps } from './page';

const WINDOW_SECONDS = 300;

const STATE_TEXT: Record<StreamState, string> = {
  connecting: 'connecting…',
  live: 'live',
  retrying: 'connection lost, retrying…',
  unauthorized: 'refused: log in again',
};

type Scope = 'node' | 'cluster';

export function OverviewPage({ api }: PageProps) {
  const windows = useRef({ node: new Window(WINDOW_SECONDS), cluster: new Window(WINDOW_SECONDS) });
  const previous = useRef<Snapshot | null>(null);
  const clusterRates = useRef(new ClusterRates());
  const [latest, setLatest] = useState<Snapshot | null>(null);
  const [point, setPoint] = useState<Point | null>(null);
  const [clusterPoint, setClusterPoint] = useState<Point | null>(null);
  const [state, setState] = useState<StreamState>('connecting');
  const [scope, setScope] = useState<Scope>('node');

  useEffect(
    () =>
      openMetricsStream(
        api,
        (snapshot) => {
          const next = toPoint(previous.current, snapshot);
          const cluster = clusterRates.current.update(snapshot, [
            snapshot,
            ...(snapshot.cluster ?? []),
          ]);
          previous.current = snapshot;
          windows.current.node.push(next);
          windows.current.cluster.push(cluster);
          setLatest(snapshot);
          setPoint(next);
          setClusterPoint(cluster);
        },
        (s) => {
          setState(s);
          // After a gap, rates restart from the next pair of snapshots.
          if (s !== 'live') {
            previous.current = null;
            clusterRates.current.reset();
          }
        },
      ),
    [api],
  );

  const w = windows.current[scope];
  const whose = scope === 'node' ? '(this node)' : '(cluster)';
  const transports = w.keys((p) => p.connections);
  const codes = w.keys((p) => p.errorsPerSecond);
  return (
    <section aria-label="Overview">
      <p class="status" role="status" data-testid="stream-state" data-state={state}>
        Metrics stream: {STATE_TEXT[state]}
        {latest && <> · node <strong>{latest.node}</strong></>}
      </p>
      <div class="actions" role="group" aria-label="Charts of">
        {(['node', 'cluster'] as const).map((s) => (
          <button
            type="button"
            class={scope === s ? '' : 'quiet'}
            aria-pressed={scope === s}
            onClick={() => setScope(s)}
          >
            {s === 'node' ? 'This node' : 'Cluster'}
          </button>
        ))}
      </div>
      <dl class="tiles">
        <Tile label="Sessions (this node)" value={formatCount(point?.sessions)} />
        <Tile label="Sessions (cluster)" value={formatCount(clusterPoint?.sessions)} />
        <Tile label="Online users (cluster)" value={formatCount(point?.onlineUsers)} />
        <Tile label="Live nodes (cluster)" value={formatCount(point?.liveNodes)} />
        <Tile label="Messages (this node)" value={formatRate(point?.messagesPerSecond)} />
        <Tile
          label="Messages (cluster)"
          value={formatRate(clusterPoint?.messagesPerSecond)}
        />
        <Tile label="Logins (this node)" value={formatRate(point?.loginsPerSecond)} />
        <Tile label="Latency p99 (this node)" value={formatSeconds(point?.p99Seconds)} />
        <Tile label="Memory (this node)" value={formatBytes(latest?.residentMemoryBytes)} />
      </dl>
      <div class="charts">
        <Chart
          title={`Sessions and connections ${whose}`}
          testId="chart-sessions"
          series={[{ label: 'sessions', color: color(0) }].concat(
            transports.map((t, i) => ({ label: `${t} connections`, color: color(i + 1) })),
          )}
          data={w.columns([(p) => p.sessions, ...transports.map((t) => (p: Point) => p.connections[t])])}
          format={formatCount}
        />
        <Chart
          title={`Messages per second ${whose}`}
          testId="chart-messages"
          series={[{ label: 'messages/s', color: color(0) }]}
          data={w.columns([(p) => p.messagesPerSecond])}
          format={formatRate}
        />
        <Chart
          title={`Logins per second ${whose}`}
          testId="chart-logins"
          series={[{ label: 'logins/s', color: color(1) }]}
          data={w.columns([(p) => p.loginsPerSecond])}
          format={formatRate}
        />
        <Chart
          title={`Request latency ${whose}`}
          testId="chart-latency"
          series={[
            { label: 'p50', color: color(0) },
            { label: 'p99', color: color(2) },
          ]}
          data={w.columns([(p) => p.p50Seconds, (p) => p.p99Seconds])}
          format={formatSeconds}
        />
        <Chart
          title={`Errors by status code ${whose}`}
          testId="chart-errors"
          series={
            codes.length > 0
              ? codes.map((c, i) => ({ label: c, color: color(i + 2) }))
              : [{ label: 'errors', color: color(2) }]
          }
          data={
            codes.length > 0
              ? w.columns(codes.map((c) => (p: Point) => p.errorsPerSecond[c] ?? 0))
              : w.columns([() => 0])
          }
          format={formatRate}
        />
        <Chart
          title="Online users and live nodes (cluster)"
          testId="chart-cluster"
          series={[
            { label: 'online users', color: color(3) },
            { label: 'live nodes', color: color(4) },
          ]}
          data={w.columns([(p) => p.onlineUsers, (p) => p.liveNodes])}
          format={formatCount}
        />
      </div>
    </section>
  );
}

function Tile({ label, value }: { label: string; value: string }) {
  return (
    <div class="tile">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
