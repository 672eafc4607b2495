export interface ServerSentEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * Reads a text/event-stream response event by event until it ends or `until` says stop. Parses
 * only what Glidepath sends: id, event and single-line data fields, comments ignored.
 */
export async function readEvents(response: Response, until: (event: ServerSentEvent) => boolean = () => false): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = response.body!.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    buffer += decoder.decode(chunk.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: ServerSentEvent = { event: "message", data: "" };
      for (const line of block.split("\n")) {
        const [field, ...rest] = line.split(":");
        const value = rest.join(":").replace(/^ /, "");
        if (field === "id") event.id = value;
        else if (field === "event") event.event = value;
        else if (field === "data") event.data = value;
      }
      if (block.startsWith(":")) continue;
      events.push(event);
      if (until(event)) {
        await reader.cancel();
        return events;
      }
    }
  }
  return events;
}
