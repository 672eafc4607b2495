/** One Server-Sent Event as the stream carries it. */
export interface ServerSentEvent {
  id?: string;
  event: string;
  data: string;
}

/** Reads a text/event-stream body event by event (the WHATWG format: fields, blank-line separated). */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  let buffer = "";
  let current: { id?: string; event?: string; data: string[] } = { data: [] };
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line === "") {
        if (current.data.length > 0 || current.event) yield { id: current.id, event: current.event ?? "message", data: current.data.join("\n") };
        current = { data: [] };
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") current.data.push(value);
      else if (field === "event") current.event = value;
      else if (field === "id") current.id = value;
    }
  }
}
