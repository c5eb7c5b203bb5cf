// Reads GET /metrics/stream with fetch() (headers allowed, unlike EventSource) and hands each
// snapshot over, reconnecting after a pause until stopped.
import { Api } from './api';
import type { Snapshot } from './metrics';
import { SseParser } from './sse';

export type StreamState = 'connecting' | 'live' | 'retrying' | 'unauthorized';

const RETRY_MILLIS = 2000;

export function openMetricsStream(
  api: Api,
  onSnapshot: (snapshot: Snapshot) => void,
  onState: (state: StreamState) => void,
): () => void {
  const abort = new AbortController();
  const run = async () => {
    while (!abort.signal.aborted) {
      onState('connecting');
      try {
        const response = await fetch('/metrics/stream', {
          headers: { Authorization: api.authorization(), Accept: 'text/event-stream' },
          cache: 'no-store',
          signal: abort.signal,
        });
        if (response.status === 401) {
          onState('unauthorized');
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        onState('live');
        const parser = new SseParser();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const data of parser.push(value)) onSnapshot(JSON.parse(data) as Snapshot);
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      onState('retrying');
      await new Promise((resolve) => setTimeout(resolve, RETRY_MILLIS));
    }
  };
  void run();
  return () => abort.abort();
}
