/**
 * The fallback a fresh machine uses: the Chromium packaged in @sparticuz/chromium unpacks, launches under
 * playwright-core and runs a page's script, whether or not Debian's chromium is installed here.
 */
import { describe, expect, it } from 'vitest';
import { launchBrowser, packagedChromium } from './browser.js';

describe('packaged Chromium', () => {
  it('launches and runs a page script', async () => {
    const found = await packagedChromium();
    expect(found.source).toBe('@sparticuz/chromium');
    const browser = await launchBrowser(found);
    try {
      const page = await browser.newPage();
      await page.setContent('<canvas id="c" width="4" height="4"></canvas><script>const g = document.getElementById("c").getContext("2d"); g.fillStyle = "rgb(10, 20, 30)"; g.fillRect(0, 0, 2, 2); document.title = String(6 * 7) + ":" + Array.from(g.getImageData(1, 1, 1, 1).data).join(",") + ":" + Array.from(g.getImageData(3, 3, 1, 1).data).join(",");</script>');
      expect(await page.title()).toBe('42:10,20,30,255:0,0,0,0');
    } finally {
      await browser.close();
    }
  });
});
