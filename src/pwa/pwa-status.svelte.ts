/**
 * Page only: what the app shell shows about itself as an installed, offline app. Online or
 * offline (navigator.onLine and its events), whether the service worker holds every file the
 * app needs and the bundled snapshot is stored (so it works offline), and whether a new version
 * is waiting for the user's OK.
 * register.ts fills it in; UpdatePrompt.svelte and OfflineStatus.svelte show it.
 */
export class PwaStatus {
  /** The browser says it is online (navigator.onLine; playwright's context.setOffline drives it). */
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  /** A service worker controls this page with the app's files precached (all but the bundled snapshot). */
  appCached = $state(false);
  /** The bundled snapshot is stored for offline use too (Cache Storage, kept by the database worker). */
  snapshotCached = $state(false);
  /** Everything is stored: a reload works offline, the database and its reference data included. */
  readonly offlineReady = $derived(this.appCached && this.snapshotCached);
  /** Settles once registration does: true when a service worker is registered (the app can work offline). */
  readonly registered: Promise<boolean>;
  /** Set by register.ts: settles `registered`. */
  settleRegistration: (registered: boolean) => void = () => {};
  /** A new version is installed and waits for the user's Reload. */
  updateAvailable = $state(false);
  /** Set by register.ts: activates the waiting version; the page reloads once it controls the page. */
  acceptUpdate: () => void = () => {};

  constructor() {
    this.registered = new Promise<boolean>((ok) => (this.settleRegistration = ok));
  }

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
