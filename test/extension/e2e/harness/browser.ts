// Debian's Chromium driven by playwright-core (no browser download): headless, no sandbox (CI
// containers run as root), and nothing that reaches for the network on its own.
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM } from './paths.ts';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}
