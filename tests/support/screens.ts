import type { Page } from 'playwright-core';

/** The screens people use: a laptop, a tablet and a phone (the guide's three sizes). */
export const SCREEN_SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'tablet', width: 1024, height: 768 },
  { name: 'phone', width: 390, height: 844 },
] as const;

export type ScreenSize = (typeof SCREEN_SIZES)[number];

/**
 * What `page` shows on each of the three screens, saved where `pathFor` says. The viewport is
 * put back as it was: a test that goes on sees the layout (and asks for the layers) it had.
 */
export async function screenshotAtSizes(
  page: Page,
  pathFor: (size: ScreenSize) => string,
): Promise<void> {
  const before = page.viewportSize();
  for (const size of SCREEN_SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.screenshot({ path: pathFor(size) });
  }
  if (before) await page.setViewportSize(before);
}
