/** Splits a whole server-sent-events body into its events, for assertions in tests. */

export interface ParsedSseEvent {
  event: string | undefined;
  data: string;
}

/** Blank-line separated blocks; `event:` and `data:` fields (several data lines are joined with newlines). */
export function parseSse(body: string): ParsedSseEvent[] {
  const events: ParsedSseEvent[] = [];
  for (const block of body.split('\n\n')) {
    if (block.trim() === '') continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    events.push({ event, data: data.join('\n') });
  }
  return events;
}
