import { close, fdatasync, openSync } from 'node:fs';

/**
 * Full durability without blocking the event loop. The writer runs with `synchronous=NORMAL`, so a
 * commit only write()s its WAL frames; this fdatasyncs the WAL file on libuv's thread pool, and the
 * group committer answers a batch only after a sync that started after its commit. That is what
 * `synchronous=FULL` guarantees (the WAL is on disk before the 2xx; checkpoints still sync the WAL
 * before copying it and the database before the WAL is reused), but the ~0.3–1 ms fsync no longer
 * stops the router from parsing and processing the next requests, and one fsync covers every commit
 * made while the previous one ran.
 */
export class WalSyncer {
  private fd: number | undefined;

  /** `databasePath`: the SQLite file; its WAL is `<path>-wal`, kept for the connection's lifetime. */
  constructor(private readonly databasePath: string) {}

  /** Resolves once every WAL frame written before the call is on disk. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      let fd: number;
      try {
        fd = this.fd ??= openSync(`${this.databasePath}-wal`, 'r+');
      } catch (cause) {
        reject(new Error(`could not open the WAL of ${this.databasePath}`, { cause }));
        return;
      }
      fdatasync(fd, (error) => (error === null ? resolve() : reject(new Error(`could not fsync the WAL of ${this.databasePath}`, { cause: error }))));
    });
  }

  /** Closes the WAL descriptor (after the last sync has settled). */
  close(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return Promise.resolve();
    return new Promise((resolve) => close(fd, () => resolve()));
  }
}
