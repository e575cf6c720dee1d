/**
 * Page only: registers the service worker that vite-plugin-pwa (Workbox generateSW) writes to
 * dist/sw.js, through workbox-window, from this module rather than an inline script (the
 * Content-Security-Policy allows no inline script). The URL is relative to the page, so the
 * worker's scope is the folder the app is served from (e.g. /mediaforge/).
 *
 * A new version installs in the background and waits; the header's "update available" prompt
 * calls acceptUpdate(), which tells it to take over, and the page reloads once it controls the
 * page. The user's database stays in IndexedDB; the new version opens it and migrates it to its
 * schema (src/db/migrations.ts) like any stored database.
 */
import { Workbox } from 'workbox-window';
import { pwaStatus, type PwaStatus } from './pwa-status.svelte';

/** The service worker file, next to index.html in dist/. */
export const SERVICE_WORKER_FILE = 'sw.js';

/** Registers the service worker (production builds only) and keeps `status` up to date. */
export function registerServiceWorker(status: PwaStatus = pwaStatus): void {
  document.documentElement.dataset.build = __MEDIAFORGE_BUILD__;
  status.watchConnection();
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return status.settleRegistration(false);

  const wb = new Workbox(new URL(SERVICE_WORKER_FILE, document.baseURI).href);
  // A version that finished installing is waiting: ask the user (also when it was found waiting at load).
  wb.addEventListener('waiting', () => (status.updateAvailable = true));
  // The first version took control (clientsClaim) after precaching the app's files; the bundled
  // snapshot is stored apart (see App.svelte), so offline works once both are.
  wb.addEventListener('controlling', (event) => {
    if (event.isUpdate) window.location.reload();
    else status.appCached = true;
  });
  status.acceptUpdate = () => {
    status.updateAvailable = false;
    wb.messageSkipWaiting();
  };
  wb.register()
    .then(async (registration) => {
      status.settleRegistration(!!registration);
      // Loaded from an already installed version: its precache is complete once it is active.
      if (navigator.serviceWorker.controller && registration?.active) status.appCached = true;
    })
    .catch((e: unknown) => {
      status.settleRegistration(false);
      console.warn(`service worker ${SERVICE_WORKER_FILE} not registered: ${(e as Error).message}; the app works, but not offline`);
    });
}
