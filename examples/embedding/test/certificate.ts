// A self-signed certificate for 127.0.0.1, made with the openssl CLI in a temporary folder.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Certificate {
  keyFile: string;
  certFile: string;
  key: Buffer;
  cert: Buffer;
  /** Removes the folder holding both files. */
  remove(): Promise<void>;
}

export async function makeCertificate(): Promise<Certificate> {
  const dir = await mkdtemp(join(tmpdir(), 'volley-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return {
    keyFile,
    certFile,
    key: await readFile(keyFile),
    cert: await readFile(certFile),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
