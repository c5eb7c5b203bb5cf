// Live charts from the node's metrics stream, one point a second, the last five minutes.
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

export function OverviewPage({ api }: PageProps) {
  const window = useRef(new Window(WINDOW_SECONDS));
  const previous = useRef<Snapshot | null>(null);
  const clusterRates = useRef(new ClusterRates());
  const [latest, setLatest] = useState<Snapshot | null>(null);
  const [point, setPoint] = useState<Point | null>(null);
  const [state, setState] = useState<StreamState>('connecting');

  useEffect(
    () =>
      openMetricsStream(
        api,
        (snapshot) => {
          const next = toPoint(previous.current, snapshot);
          next.cluster = clusterRates.current.update([snapshot, ...(snapshot.cluster ?? [])]);
          previous.current = snapshot;
          window.current.push(next);
          setLatest(snapshot);
          setPoint(next);
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

  const w = window.current;
  const transports = w.keys((p) => p.connections);
  const codes = w.keys((p) => p.errorsPerSecond);
  return (
    <section aria-label="Overview">
      <p class="status" role="status" data-testid="stream-state" data-state={state}>
        Metrics stream: {STATE_TEXT[state]}
        {latest && <> · node <strong>{latest.node}</strong></>}
      </p>
      <dl class="tiles">
        <Tile label="Sessions (this node)" value={formatCount(point?.sessions)} />
        <Tile label="Sessions (cluster)" value={formatCount(point?.cluster?.sessions)} />
        <Tile label="Online users (cluster)" value={formatCount(point?.onlineUsers)} />
        <Tile label="Live nodes (cluster)" value={formatCount(point?.liveNodes)} />
        <Tile label="Messages (this node)" value={formatRate(point?.messagesPerSecond)} />
        <Tile
          label="Messages (cluster)"
          value={formatRate(point?.cluster?.messagesPerSecond)}
        />
        <Tile label="Logins (this node)" value={formatRate(point?.loginsPerSecond)} />
        <Tile label="Latency p99" value={formatSeconds(point?.p99Seconds)} />
        <Tile label="Memory" value={formatBytes(latest?.residentMemoryBytes)} />
      </dl>
      <div class="charts">
        <Chart
          title="Sessions and connections (this node)"
          testId="chart-sessions"
          series={[{ label: 'sessions', color: color(0) }].concat(
            transports.map((t, i) => ({ label: `${t} connections`, color: color(i + 1) })),
          )}
          data={w.columns([(p) => p.sessions, ...transports.map((t) => (p: Point) => p.connections[t])])}
          format={formatCount}
        />
        <Chart
          title="Messages per second (this node)"
          testId="chart-messages"
          series={[{ label: 'messages/s', color: color(0) }]}
          data={w.columns([(p) => p.messagesPerSecond])}
          format={formatRate}
        />
        <Chart
          title="Logins per second (this node)"
          testId="chart-logins"
          series={[{ label: 'logins/s', color: color(1) }]}
          data={w.columns([(p) => p.loginsPerSecond])}
          format={formatRate}
        />
        <Chart
          title="Request latency (this node)"
          testId="chart-latency"
          series={[
            { label: 'p50', color: color(0) },
            { label: 'p99', color: color(2) },
          ]}
          data={w.columns([(p) => p.p50Seconds, (p) => p.p99Seconds])}
          format={formatSeconds}
        />
        <Chart
          title="Errors by status code (this node)"
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
          title="Messages and logins per second (cluster)"
          testId="chart-cluster-rates"
          series={[
            { label: 'messages/s', color: color(0) },
            { label: 'logins/s', color: color(1) },
          ]}
          data={w.columns([
            (p) => p.cluster?.messagesPerSecond,
            (p) => p.cluster?.loginsPerSecond,
          ])}
          format={formatRate}
        />
        <Chart
          title="Sessions, online users and live nodes (cluster)"
          testId="chart-cluster"
          series={[
            { label: 'sessions', color: color(0) },
            { label: 'online users', color: color(3) },
            { label: 'live nodes', color: color(4) },
          ]}
          data={w.columns([(p) => p.cluster?.sessions, (p) => p.onlineUsers, (p) => p.liveNodes])}
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
