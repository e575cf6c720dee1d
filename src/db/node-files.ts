/** Node-only helpers for the database CLI: loading sql.js, reading snapshot files, atomic writes. */
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlJsStatic } from 'sql.js';
import { AppError } from '../core/errors';

let sqlPromise: Promise<SqlJsStatic> | null = null;

/** sql.js with its wasm resolved from node_modules (imported on first use, so CLI commands that only write files do not load it). */
export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!sqlPromise) {
    const wasm = createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
    sqlPromise = import('sql.js').then(({ default: initSqlJs }) => initSqlJs({ locateFile: () => wasm }));
  }
  return sqlPromise;
}

/** The repository root: the nearest folder above this module holding MediaForge's package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'mediaforge') return dir;
      } catch {
        /* keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export function readFileBytes(path: string): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new AppError('FILE_NOT_FOUND', `${path}: no such file`, 'check the path');
  }
  if (st.isDirectory()) throw new AppError('FILE_NOT_FOUND', `${path}: is a directory, not a file`, 'give the path of a .sqlite or .sqlite.gz file');
  return new Uint8Array(readFileSync(path));
}

/** Writes bytes to a temporary file next to `path`, then renames it over `path`: all or nothing. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    throw new AppError('FILE_NOT_FOUND', `${path}: cannot write (${(e as Error).message})`, 'check that the folder exists and is writable');
  }
}
