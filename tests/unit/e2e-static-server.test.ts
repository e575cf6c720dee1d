/**
 * The e2e tests' static server (tests/e2e/helpers.ts), without a browser: a response its
 * `beforeResponse` holds back is sent only when the hold settles, other files are sent at once,
 * and paths outside the base path are a 404. (workspace-sharing.test.ts cancels an export and an
 * import while the bundled snapshot is held this way.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer } from '../e2e/helpers';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mf-static-server-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dir, 'snapshot.sqlite.gz'), 'snapshot bytes');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** 'pending' when the response has not arrived within `ms`. */
async function within(ms: number, response: Promise<Response>): Promise<Response | 'pending'> {
  return Promise.race([response, new Promise<'pending'>((ok) => setTimeout(() => ok('pending'), ms))]);
}

describe('the e2e static server', () => {
  it('holds back a response while beforeResponse holds it, and sends it when the hold settles', async () => {
    let release: () => void = () => undefined;
    const hold = new Promise<void>((ok) => (release = ok));
    const asked: string[] = [];
    const server = await startStaticServer(dir, {
      beforeResponse: (path) => {
        asked.push(path);
        return path.endsWith('.sqlite.gz') ? hold : undefined;
      },
    });
    try {
      const held = fetch(`${server.url}snapshot.sqlite.gz`);
      const page = await within(2000, fetch(server.url));
      expect(page === 'pending' ? page : [page.status, await page.text()]).toEqual([200, '<!doctype html><title>app</title>']);
      expect(await within(300, held)).toBe('pending');
      expect(server.bytesSent.has('/snapshot.sqlite.gz')).toBe(false);
      release();
      const sent = await within(2000, held);
      expect(sent === 'pending' ? sent : [sent.status, await sent.text()]).toEqual([200, 'snapshot bytes']);
      expect(server.bytesSent.get('/snapshot.sqlite.gz')).toBe('snapshot bytes'.length);
      expect(asked.sort()).toEqual(['/', '/snapshot.sqlite.gz']);
    } finally {
      await server.close();
    }
  });

  it('serves under its base path only', async () => {
    const server = await startStaticServer(dir, { basePath: '/mediaforge/' });
    try {
      expect(server.url).toMatch(/\/mediaforge\/$/);
      expect((await fetch(`${server.url}snapshot.sqlite.gz`)).status).toBe(200);
      expect((await fetch(new URL('/snapshot.sqlite.gz', server.url))).status).toBe(404);
      expect(server.requests).toEqual(['/mediaforge/snapshot.sqlite.gz', '/snapshot.sqlite.gz']);
    } finally {
      await server.close();
    }
  });
});
