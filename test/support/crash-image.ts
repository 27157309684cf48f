import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A crash image of a router's store: its directory (database, WAL, batch journal) copied as it is on
 * disk now, what SIGKILL or a power cut leaves (the open transaction not in it). Returns the image's
 * directory; the caller removes it. Synchronous, so the router writes nothing while it is taken.
 */
export function takeCrashImage(storePath: string): string {
  const image = mkdtempSync(join(tmpdir(), 'slokit-crash-image-'));
  cpSync(dirname(storePath), image, { recursive: true });
  return image;
}

/** Puts a crash image back in place of the store's directory (the router that wrote it stopped). */
export function restoreCrashImage(image: string, storePath: string): void {
  rmSync(dirname(storePath), { recursive: true, force: true });
  cpSync(image, dirname(storePath), { recursive: true });
}
