/** The build's name (package version, or MEDIAFORGE_BUILD_ID at build time): vite.config.ts `define`. */
declare const __MEDIAFORGE_BUILD__: string;
/** The bundled snapshot's revision (a hash of public/mediaforge-snapshot.sqlite.gz at build time): vite.config.ts `define`. */
declare const __MEDIAFORGE_SNAPSHOT_REVISION__: string;
