/** Test helper: reads a Server-Sent Events stream with fetch, event by event (id + data). */
export interface SseEvent {
  id: string | null;
  data: string;
  /** performance.now() when the event was parsed. */
  at: number;
}

export class SseReader {
  readonly events: SseEvent[] = [];
  private buffer = '';
  private constructor(
    readonly status: number,
    private readonly controller: AbortController,
    readonly body: string,
  ) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const controller = new AbortController();
    const res = await fetch(url, { headers, signal: controller.signal });
    if (!res.ok || !res.body) {
      const reader = new SseReader(res.status, controller, await res.text());
      return reader;
    }
    const reader = new SseReader(res.status, controller, '');
    void reader.pump(res.body);
    return reader;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    const reader = body.getReader();
    try {
      for (;;) {
        const { value: chunk, done } = await reader.read();
        if (done) break;
        this.buffer += decoder.decode(chunk, { stream: true });
        let at: number;
        while ((at = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, at);
          this.buffer = this.buffer.slice(at + 2);
          let id: string | null = null;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) this.events.push({ id, data: data.join('\n'), at: performance.now() });
        }
      }
    } catch {
      /* aborted */
    }
  }

  close(): void {
    this.controller.abort();
  }
}
