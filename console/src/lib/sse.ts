// Server-sent events from a streamed fetch() body. EventSource cannot send an Authorization
// header, and the admin password must never go into a URL, so the console reads the stream itself.

// Splits text as it arrives into the `data` of complete events (multi-line data joined by "\n").
// Comments, event names and ids are ignored: the metrics stream sends data only.
export class SseParser {
  private buffer = '';

  push(chunk: string): string[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const events: string[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('data:')) {
          data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
        }
      }
      if (data.length > 0) {
        events.push(data.join('\n'));
      }
    }
    return events;
  }
}
