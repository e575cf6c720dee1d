/**
 * Page only: what the app shell shows about itself as an installed, offline app. Online or
 * offline (navigator.onLine and its events), whether the service worker holds every file the
 * app needs (so it works offline), and whether a new version is waiting for the user's OK.
 * register.ts fills it in; UpdatePrompt.svelte and OfflineStatus.svelte show it.
 */
export class PwaStatus {
  /** The browser says it is online (navigator.onLine; playwright's context.setOffline drives it). */
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  /** A service worker controls this page with the whole app precached: a reload works offline. */
  offlineReady = $state(false);
  /** A new version is installed and waits for the user's Reload. */
  updateAvailable = $state(false);
  /** Set by register.ts: activates the waiting version; the page reloads once it controls the page. */
  acceptUpdate: () => void = () => {};

  /** Follows the browser's online/offline events; returns the function that stops it. */
  watchConnection(): () => void {
    const update = () => (this.online = navigator.onLine);
    addEventListener('online', update);
    addEventListener('offline', update);
    update();
    return () => {
      removeEventListener('online', update);
      removeEventListener('offline', update);
    };
  }
}

/** The one status of this page (the service worker is registered once per page). */
export const pwaStatus = new PwaStatus();
