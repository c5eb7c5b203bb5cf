// The cluster as this node sees it: live nodes, the Redis deployments of the online state and the
// business store (GET /cluster).
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../lib/api';
import { formatBytes, formatCount, formatDate, formatLoad } from '../lib/format';
import { errorText, PageProps } from './page';

interface NodeInfo {
  nodeId: string;
  rpcAddress: string;
  lastHeartbeat: number | null;
  local: boolean;
  // From the figures the node last published (null when it published none lately).
  sessions: number | null;
  connections: number | null;
  residentMemoryBytes: number | null;
  loadAverage: number | null; // its machine's, over one minute
}

interface RedisServer {
  server: string;
  reachable: boolean;
  persistence: string; // aof, rdb, none, unknown
}

interface Deployment {
  purpose: string; // sessions, sequence ids, locations
  topology: string; // single, shards, cluster
  uris: string[]; // passwords masked by the server
  healthy: boolean | null;
  servers: RedisServer[];
}

// What an operator should know of a server's persistence: AOF is what Parley asks for.
const PERSISTENCE: Record<string, string> = {
  aof: 'AOF',
  rdb: 'snapshots only',
  none: 'none: a restart loses everything',
  unknown: 'unknown (CONFIG refused)',
};

interface ClusterView {
  nodes: NodeInfo[];
  redis: Deployment[];
  store: { kind: string; healthy: boolean };
}

export function NodesPage({ api, onError }: PageProps) {
  const [view, setView] = useState<ClusterView | null>(null);
  const [error, setError] = useState('');

  const load = async () => {
    setError('');
    try {
      setView(await api.get<ClusterView>('/cluster'));
    } catch (e) {
      onError(e);
      setError(
        e instanceof ApiError && e.status === 404
          ? 'This node does not report its cluster (GET /cluster).'
          : errorText(e),
      );
    }
  };
  useEffect(() => void load(), [api]);

  return (
    <section aria-label="Nodes">
      <div class="actions">
        <button type="button" onClick={load}>
          Refresh
        </button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {view && (
        <>
          <h2>Live nodes ({view.nodes.length})</h2>
          <div class="table-scroll">
            <table data-testid="nodes">
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col">RPC address</th>
                  <th scope="col">Sessions</th>
                  <th scope="col">Connections</th>
                  <th scope="col">Memory</th>
                  <th scope="col">Load</th>
                  <th scope="col">Last heartbeat</th>
                </tr>
              </thead>
              <tbody>
                {view.nodes.map((n) => (
                  <tr data-node={n.nodeId}>
                    <td>
                      {n.nodeId}
                      {n.local && <small> (this node)</small>}
                    </td>
                    <td>{n.rpcAddress || '–'}</td>
                    <td>{formatCount(n.sessions)}</td>
                    <td>{formatCount(n.connections)}</td>
                    <td>{formatBytes(n.residentMemoryBytes)}</td>
                    <td>{formatLoad(n.loadAverage)}</td>
                    <td>{formatDate(n.lastHeartbeat)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Online state</h2>
          {view.redis.length === 0 ? (
            <p>In this process (no Redis configured): a single node.</p>
          ) : (
            <div class="table-scroll">
              <table data-testid="redis">
                <thead>
                  <tr>
                    <th scope="col">Holds</th>
                    <th scope="col">Topology</th>
                    <th scope="col">Servers (persistence)</th>
                    <th scope="col">Health</th>
                  </tr>
                </thead>
                <tbody>
                  {view.redis.map((d) => (
                    <tr>
                      <td>{d.purpose}</td>
                      <td>{d.topology}</td>
                      <td>
                        {d.servers.length === 0
                          ? d.uris.join(', ')
                          : d.servers.map((r) => (
                              <div>
                                {r.server}: {r.reachable ? PERSISTENCE[r.persistence] ?? r.persistence : 'unreachable'}
                              </div>
                            ))}
                      </td>
                      <td>{d.healthy === null ? '–' : d.healthy ? 'up' : 'down'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h2>Business store</h2>
          <p data-testid="store">
            {view.store.kind}: {view.store.healthy ? 'up' : 'down'}
          </p>
        </>
      )}
    </section>
  );
}
