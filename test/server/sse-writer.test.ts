import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamSink } from '../../src/server/http-exchange.js';
import { SlowClientError, SseWriter } from '../../src/server/sse-writer.js';

/** A transport whose socket accepts `capacity` writes, then is full until `drain()` is called. */
class FakeSink implements StreamSink {
  readonly writes: string[] = [];
  ended = false;
  aborted: Error | undefined;
  #full = false;
  #waiters: (() => void)[] = [];

  constructor(private capacity: number) {}

  write(chunk: string): boolean {
    this.writes.push(chunk);
    this.capacity--;
    this.#full = this.capacity < 0;
    return !this.#full;
  }

  drained(): Promise<void> {
    if (!this.#full) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The client read everything: room for `capacity` more writes. */
  drain(capacity: number): void {
    this.capacity = capacity;
    this.#full = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  end(): void {
    this.ended = true;
  }

  abort(reason: Error): void {
    this.aborted = reason;
  }

  get closed(): boolean {
    return this.ended || this.aborted !== undefined;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SseWriter', () => {
  it('writes each event at once while the socket keeps up', async () => {
    const sink = new FakeSink(10);
    const writer = new SseWriter(sink);
    assert.equal(writer.send('{"a":1}'), undefined);
    await writer.send('{"b":2}', 'delta');
    assert.deepEqual(sink.writes, ['data: {"a":1}\n\n', 'event: delta\ndata: {"b":2}\n\n']);
    assert.equal(writer.bufferedBytes, 0);
  });

  it('joins the events that arrive while the socket is full into one write on drain', async () => {
    const sink = new FakeSink(0);
    const writer = new SseWriter(sink, { maxBufferedBytes: 1024, stallTimeoutMs: 5_000 });
    writer.send('first');
    // The socket is full now: these are held, and the relay is not made to wait.
    for (const text of ['second', 'third', 'fourth']) assert.equal(writer.send(text), undefined);
    assert.equal(sink.writes.length, 1);
    assert.equal(writer.bufferedBytes, 'data: second\n\ndata: third\n\ndata: fourth\n\n'.length);
    sink.drain(10);
    await tick();
    assert.deepEqual(sink.writes, ['data: first\n\n', 'data: second\n\ndata: third\n\ndata: fourth\n\n']);
    assert.equal(writer.bufferedBytes, 0);
    // Back to direct writes.
    writer.send('fifth');
    assert.equal(sink.writes.at(-1), 'data: fifth\n\n');
  });

  it('makes the relay wait once the pending bytes reach the cap, and never holds more than the cap plus one event', async () => {
    const sink = new FakeSink(0);
    const writer = new SseWriter(sink, { maxBufferedBytes: 100, stallTimeoutMs: 5_000 });
    writer.send('x'.repeat(10));
    let waiting: Promise<void> | undefined;
    let sent = 0;
    while (!waiting) {
      waiting = writer.send('y'.repeat(10));
      sent++;
      assert.ok(sent < 100, 'the writer never asked the relay to wait');
    }
    assert.ok(writer.bufferedBytes >= 100 && writer.bufferedBytes < 100 + 20, `buffered ${writer.bufferedBytes}`);
    let settled = false;
    void waiting.then(() => (settled = true));
    await tick();
    assert.equal(settled, false, 'the relay went on while the client read nothing');
    sink.drain(10);
    await waiting;
    assert.equal(sink.writes.length, 2);
    assert.equal(sink.writes[1], 'data: yyyyyyyyyy\n\n'.repeat(sent));
  });

  it('gives up on a client that reads nothing for the stall timeout: the wait rejects and the connection is dropped', async () => {
    const sink = new FakeSink(0);
    const writer = new SseWriter(sink, { maxBufferedBytes: 10, stallTimeoutMs: 50 });
    writer.send('first');
    const waiting = writer.send('a longer second event');
    assert.ok(waiting);
    await assert.rejects(waiting, SlowClientError);
    assert.ok(sink.aborted instanceof SlowClientError);
    assert.equal(writer.closed, true);
    assert.equal(writer.bufferedBytes, 0, 'the pending events are let go');
    assert.equal(writer.send('after'), undefined);
    assert.equal(sink.writes.length, 1);
  });

  it('ends the stream only after what is pending has been written', async () => {
    const sink = new FakeSink(0);
    const writer = new SseWriter(sink, { maxBufferedBytes: 1024, stallTimeoutMs: 5_000 });
    writer.send('first');
    writer.send('last');
    writer.end();
    await tick();
    assert.equal(sink.ended, false);
    sink.drain(10);
    await tick();
    assert.deepEqual(sink.writes, ['data: first\n\n', 'data: last\n\n']);
    assert.equal(sink.ended, true);
  });

  it('takes its limits from the transport when none are given', async () => {
    const sink = Object.assign(new FakeSink(0), { limits: { maxBufferedBytes: 5, stallTimeoutMs: 5_000 } });
    const writer = new SseWriter(sink);
    writer.send('first');
    assert.ok(writer.send('second') instanceof Promise, 'the transport cap of 5 bytes was not applied');
    sink.drain(10);
  });
});
