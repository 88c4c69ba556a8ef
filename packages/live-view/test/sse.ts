/** A server-sent events reader for tests: frames as { event, data }, read until a predicate holds or a timeout. */
export interface SseFrame {
  readonly event: string;
  readonly data: string;
}

export async function readEvents(url: string, until: (frames: readonly SseFrame[]) => boolean, timeoutMs = 10_000): Promise<SseFrame[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no matching events from ${url} in ${timeoutMs} ms`)), timeoutMs);
  const frames: SseFrame[] = [];
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) frames.push({ event, data: data.join('\n') });
      }
      if (until(frames)) return frames;
    }
    throw new Error(`${url}: the stream ended before the expected events`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
