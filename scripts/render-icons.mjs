#!/usr/bin/env node
/**
 * Renders the PNG app icons that Chromium wants for installation (192 and 512 px, and a 512 px
 * maskable one) from public/icon.svg, with Debian's Chromium (never a downloaded one). Run it
 * again after changing icon.svg, and commit the PNGs: `node scripts/render-icons.mjs`.
 *
 * The maskable icon fills the whole square with the icon's background colour and keeps the drawing
 * inside the central 80 % "safe zone", so a launcher's circle or squircle mask never cuts it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const PUBLIC = resolve(fileURLToPath(new URL('../public', import.meta.url)));
const svg = readFileSync(join(PUBLIC, 'icon.svg'), 'utf8');
const BACKGROUND = '#0f766e'; // the icon's own background (and the manifest's theme colour)

const ICONS = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-512.png', size: 512, maskable: true },
];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  for (const { file, size, maskable } of ICONS) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const inner = maskable ? Math.round(size * 0.8) : size;
    await page.setContent(
      `<html><body style="margin:0;width:${size}px;height:${size}px;display:grid;place-items:center;background:${maskable ? BACKGROUND : 'transparent'}">` +
        `<div style="width:${inner}px;height:${inner}px">${svg.replace('<svg ', `<svg width="${inner}" height="${inner}" `)}</div></body></html>`,
    );
    await page.screenshot({ path: join(PUBLIC, file), omitBackground: !maskable, clip: { x: 0, y: 0, width: size, height: size } });
    await page.close();
    console.log(`public/${file} (${size}×${size}${maskable ? ', maskable' : ''})`);
  }
} finally {
  await browser.close();
}
