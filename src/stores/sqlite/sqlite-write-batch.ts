/**
 * Every write one process makes to its SQLite file in one tick — turn commits, session leases,
 * usage rows, experiment exposures — runs in one IMMEDIATE transaction, so a spike pays one WAL
 * commit per tick instead of one per write (two lease writes, a commit, a usage row and an
 * exposure per turn were five).
 */

import type Database from 'better-sqlite3';

interface QueuedWrite {
  work: () => unknown;
  /** Runs in a savepoint of its own, so a write of several statements that throws undoes only itself. */
  isolated: boolean;
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
  value?: unknown;
  failed?: boolean;
  error?: unknown;
}

export class SqliteWriteBatch {
  #queue: QueuedWrite[] = [];
  readonly #flushSoon = (): void => this.flush();
  readonly #commit: (batch: QueuedWrite[]) => void;

  constructor(private readonly db: Database.Database) {
    // Called inside the group's transaction, better-sqlite3 runs it as a savepoint.
    const inSavepoint = db.transaction((work: () => unknown) => work());
    this.#commit = db.transaction((batch: QueuedWrite[]) => {
      for (const write of batch) {
        try {
          write.value = write.isolated ? inSavepoint(write.work) : write.work();
        } catch (error) {
          write.failed = true;
          write.error = error;
          // Some errors (a full disk, I/O) make SQLite roll the whole transaction back: then nothing of the group holds.
          if (!this.db.inTransaction) throw error;
        }
      }
    }).immediate;
  }

  /**
   * Queues `work` (synchronous statements on this file) for this tick's transaction; settles once
   * the transaction committed, with `work`'s value or error. Nothing of it is visible before.
   */
  write<T>(work: () => T, isolated = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#queue.length === 0) setImmediate(this.#flushSoon);
      this.#queue.push({ work, isolated, resolve: resolve as (value: never) => void, reject });
    });
  }

  /** Commits what is queued now (a read that must see it, or close, calls this first). */
  flush(): void {
    const batch = this.#queue;
    if (batch.length === 0 || !this.db.open) return;
    this.#queue = [];
    try {
      this.#commit(batch);
    } catch (error) {
      // The group itself failed (SQLITE_BUSY past the busy timeout, a failed commit): nothing was written.
      for (const write of batch) write.reject(error);
      return;
    }
    for (const write of batch) {
      if (write.failed) write.reject(write.error);
      else write.resolve(write.value as never);
    }
  }
}
