/**
 * Served from a sub-path (issue 10 part 1): dist/ behind http://127.0.0.1:PORT/mediaforge/ on a
 * plain static server works the same as at '/': relative URLs, so every request stays under the
 * sub-path; the service worker's scope is the sub-path; a genome gets its neighbours and ranked
 * media; the database opens; and a reload while offline still works.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/data';
import { showDatabase } from './db-helpers';
import { launchBrowser, openApp, startStaticServer, type StaticServer } from './helpers';
import { profileNeighboursAndMedia, waitForOfflineReady } from './pwa-helpers';
import { appRootWithModel } from './vae-helpers';

const SUB_PATH = '/mediaforge/';
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  const { root } = await appRootWithModel();
  server = await startStaticServer(root, { basePath: SUB_PATH });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe(`the app served from ${SUB_PATH}`, () => {
  it('keeps every request under the sub-path, scopes its service worker there, and works online and offline', async () => {
    expect(server.url).toMatch(/\/mediaforge\/$/);
    const { context, page, errors } = await openApp(browser, server.url, { serviceWorkers: 'allow' });
    const ready = await waitForOfflineReady(page);
    expect(ready.scope).toBe(server.url);
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')!.href;
      return { href, body: (await (await fetch(href)).json()) as { start_url: string; scope: string } };
    });
    expect(manifest.href).toBe(`${server.url}manifest.webmanifest`);
    expect(new URL(manifest.body.scope, manifest.href).href).toBe(server.url);

    const flow = await profileNeighboursAndMedia(page, fixture('lambda.fa.gz'), 'lambda.fa.gz');
    expect(flow.neighbours).toHaveLength(5);
    expect(flow.neighbours[0]).toMatch(/lambda/i);
    expect(flow.rankedMedia.length).toBeGreaterThanOrEqual(10);
    await showDatabase(page);

    await context.setOffline(true);
    await page.reload();
    await showDatabase(page);
    const outside = server.requests.filter((p) => !p.startsWith(SUB_PATH));
    console.log(`${server.requests.length} requests, ${outside.length} outside ${SUB_PATH}; scope ${ready.scope}`);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
