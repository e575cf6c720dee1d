/**
 * Served from a sub-path (issue 10 part 1): dist/ behind http://127.0.0.1:PORT/mediaforge/ on a
 * plain static server works the same as at '/': relative URLs, so every request stays under the
 * sub-path; the service worker's scope is the sub-path; a genome gets its neighbours and ranked
 * media; the database opens; and a reload while offline still works.
 */
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers/data';
import { showDatabase } from './db-helpers';
import { useBrowserAndServer } from './helpers';
import { profileNeighboursAndMedia, waitForOfflineReady } from './pwa-helpers';
import { rootWithModel } from './vae-helpers';

const SUB_PATH = '/mediaforge/';
const app = useBrowserAndServer({ root: rootWithModel, basePath: SUB_PATH });

describe(`the app served from ${SUB_PATH}`, () => {
  it('keeps every request under the sub-path, scopes its service worker there, and works online and offline', async () => {
    expect(app.server.url).toMatch(/\/mediaforge\/$/);
    const { context, page, errors } = await app.open({ serviceWorkers: 'allow' });
    const ready = await waitForOfflineReady(page);
    expect(ready.scope).toBe(app.server.url);
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')!.href;
      return { href, body: (await (await fetch(href)).json()) as { start_url: string; scope: string } };
    });
    expect(manifest.href).toBe(`${app.server.url}manifest.webmanifest`);
    expect(new URL(manifest.body.scope, manifest.href).href).toBe(app.server.url);

    const flow = await profileNeighboursAndMedia(page, fixture('lambda.fa.gz'), 'lambda.fa.gz');
    expect(flow.neighbours).toHaveLength(5);
    expect(flow.neighbours[0]).toMatch(/lambda/i);
    expect(flow.rankedMedia.length).toBeGreaterThanOrEqual(10);
    await showDatabase(page);

    await context.setOffline(true);
    await page.reload();
    await showDatabase(page);
    const outside = app.server.requests.filter((p) => !p.startsWith(SUB_PATH));
    console.log(`${app.server.requests.length} requests, ${outside.length} outside ${SUB_PATH}; scope ${ready.scope}`);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
