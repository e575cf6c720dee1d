/** The build's name (package version, or MEDIAFORGE_BUILD_ID at build time): vite.config.ts `define`. */
declare const __MEDIAFORGE_BUILD__: string;
