// The cluster's figures on the Overview: the sum over every live node of what it published
// (GET /metrics/stream carries this node's snapshot and, under "cluster", the others' last
// ones). Each node's rates come from its own consecutive figures, so a node joining or leaving
// changes the sums by its own share, never by a jump of its whole counter.
import { MESSAGE_KIND, rate, Snapshot, sum } from './metrics';

export interface ClusterPoint {
  nodes: number; // nodes whose figures this event carried
  sessions: number;
  messagesPerSecond: number | null; // null until some node has two figures to compare
  loginsPerSecond: number | null;
}

interface NodeRates {
  messages: number | null;
  logins: number | null;
}

export class ClusterRates {
  // Each node's last figures and the rates they gave.
  private readonly last = new Map<string, { figures: Snapshot; rates: NodeRates }>();

  // The point for one event: this node's snapshot and the others' figures.
  update(figures: Snapshot[]): ClusterPoint {
    const seen = new Set<string>();
    let messages: number | null = null;
    let logins: number | null = null;
    let sessions = 0;
    for (const node of figures) {
      if (seen.has(node.node)) continue; // a node listed twice counts once
      seen.add(node.node);
      const before = this.last.get(node.node);
      if (!before) {
        this.last.set(node.node, { figures: node, rates: { messages: null, logins: null } });
      } else if (node.time > before.figures.time) {
        const seconds = (node.time - before.figures.time) / 1000;
        const rates = {
          messages: rate(messageCount(before.figures), messageCount(node), seconds),
          logins: rate(sum(before.figures.loginsByCode), sum(node.loginsByCode), seconds),
        };
        this.last.set(node.node, { figures: node, rates });
      }
      // Otherwise the same figures again (the node has not published since): its last rates hold.
      const rates: NodeRates = this.last.get(node.node)!.rates;
      sessions += node.sessions;
      if (rates.messages !== null) messages = (messages ?? 0) + rates.messages;
      if (rates.logins !== null) logins = (logins ?? 0) + rates.logins;
    }
    // Nodes that left are forgotten: if they come back, their rates start again.
    for (const id of [...this.last.keys()]) {
      if (!seen.has(id)) this.last.delete(id);
    }
    return { nodes: seen.size, sessions, messagesPerSecond: messages, loginsPerSecond: logins };
  }

  // After a gap in the stream, rates restart from the next figures.
  reset(): void {
    this.last.clear();
  }
}

function messageCount(figures: Snapshot): number {
  return figures.requestsByKind[MESSAGE_KIND] ?? 0;
}
