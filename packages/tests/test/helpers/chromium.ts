// Debian's Chromium driven by playwright-core (browser downloads do not work here; CI
// installs the Debian package, see .ci/run). A test that needs it fails, never skips,
// when it is missing.
import { access, constants } from 'node:fs/promises';
import { type Browser, chromium } from 'playwright-core';

/** The Chromium binary: `VOLLEY_CHROMIUM`, or Debian's `/usr/bin/chromium`. */
export const CHROMIUM = process.env.VOLLEY_CHROMIUM ?? '/usr/bin/chromium';

/** Headless in a container, and quiet: no sandbox, GPU, QUIC or calls home. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches {@link CHROMIUM} headless. Each launch gets a fresh profile: playwright makes a
 * temporary `--user-data-dir` for it and deletes it on `close()`. Rejects (so the test
 * fails) when the binary is missing or not executable.
 */
export async function launchChromium(): Promise<Browser> {
  await access(CHROMIUM, constants.X_OK).catch((error: unknown) => {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set VOLLEY_CHROMIUM`,
      { cause: error },
    );
  });
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}
