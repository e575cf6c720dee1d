/**
 * The ML worker's tfjs backend in a real Chromium: on these machines WebGPU is a SwiftShader
 * (software) adapter and WebGL2 runs on SwiftShader too, so neither may be chosen: the worker
 * runs WASM, and the Model tab says why. An override from settings is honoured and kept.
 */
import { describe, expect, it } from 'vitest';
import { useBrowserAndServer } from './helpers';
import { backendShown, showModel } from './vae-helpers';

const app = useBrowserAndServer();

describe('ML backend', () => {
  it('does not pick a software WebGPU or WebGL: wasm, with the reason shown; an override sticks across a reload', async () => {
    const { context, page, errors } = await app.open();
    await showModel(page);
    const auto = await backendShown(page);
    const considered = await page.locator('.backend details li').allTextContents();
    console.log(`backend ${auto.backend}: ${auto.reason}\n  ${considered.join('\n  ')}`);
    expect(auto.backend).not.toBe('webgpu');
    expect(auto.backend).toBe('wasm');
    // Why WebGPU and WebGL were skipped is part of the reason.
    expect(auto.reason).toMatch(/webgpu: (no WebGPU adapter|fallback\/software adapter)/);
    expect(auto.reason).toMatch(/webgl: (no WebGL2|software renderer|renderer unknown)/);

    // Override: plain JavaScript, kept in settings.
    await page.getByTestId('ml-backend-override').selectOption('cpu');
    await page.locator('[data-testid="ml-backend"][data-backend="cpu"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('ml-backend-reason').textContent()).toMatch(/chosen in settings/);
    await page.reload();
    await showModel(page);
    expect((await backendShown(page)).backend).toBe('cpu');
    await page.getByTestId('ml-backend-override').selectOption('auto');
    await page.locator('[data-testid="ml-backend"][data-backend="wasm"]').waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
    await context.close();
  });
});
