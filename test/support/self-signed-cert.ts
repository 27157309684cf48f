import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate for 127.0.0.1 and localhost that is its own CA: trust `cert` to trust the server. */
export interface SelfSignedCert {
  /** PEM private key (P-256). */
  key: string;
  /** PEM certificate; also the CA certificate a client must trust. */
  cert: string;
}

let shared: Promise<SelfSignedCert> | undefined;

/**
 * A fresh self-signed certificate made with `openssl` at run time, so no key is ever committed.
 * One certificate is made per test process and reused (it is immutable), because each `openssl`
 * run costs tens of milliseconds on a slow machine. Valid for two days.
 */
export function selfSignedCert(): Promise<SelfSignedCert> {
  shared ??= makeSelfSignedCert().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

async function makeSelfSignedCert(): Promise<SelfSignedCert> {
  const dir = await mkdtemp(join(tmpdir(), 'slokit-cert-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    await run(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { timeout: 30_000 },
    ).catch((cause: unknown) => {
      throw new Error('could not make a self-signed certificate with openssl', { cause });
    });
    const [key, cert] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
    return { key, cert };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
