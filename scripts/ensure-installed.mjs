// `npm start` on a fresh clone: install the locked dependencies first when node_modules is missing
// or older than package-lock.json, so `npm start` alone installs, builds and serves the app.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.log('mediaforge: installing dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error('mediaforge: npm ci failed; see the messages above');
    process.exit(r.status ?? 1);
  }
}
