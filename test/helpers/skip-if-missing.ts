/**
 * The one rule for tests whose subject may be missing on a machine (a backend not built, Chromium or
 * python3 with scipy not installed, the MNIST files not downloadable): never narrow silently.
 *
 * - Outside CI the test is skipped, and a banner on stderr says what was not tested and why.
 * - With the environment variable `CI` set, nothing narrows: a test named after the subject is
 *   registered and fails with the reason, so the run is red.
 */
import { test } from 'node:test';

/** True when the environment variable `CI` is set to anything but '', '0' or 'false'. */
export function inCi(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * The `skip` option for the tests of `subject`: `false` when `missing` is undefined (the subject is
 * here), else the reason, after a loud notice (outside CI) or a failing test (under CI).
 * @param subject what the tests exercise, e.g. "backend 'wasm'"
 * @param missing why it cannot run here (with the command that would provide it), or undefined
 * @example `test('...', { skip: skipIfMissing('Chromium', existsSync(p) ? undefined : 'apt-get install chromium') }, ...)`
 */
export function skipIfMissing(subject: string, missing: string | undefined): string | false {
  if (missing === undefined) return false;
  const reason = `${subject} is missing: ${missing}`;
  if (inCi()) {
    test(`${subject} is present (CI runs every test, it narrows nothing)`, () => {
      throw new Error(`${reason}. CI is set, so this is an error, not a skip.`);
    });
  } else {
    const bar = '!'.repeat(78);
    process.stderr.write(`\n${bar}\n!! NOT TESTED here: ${reason}\n!! The tests of ${subject} are skipped; with CI set they fail instead.\n${bar}\n\n`);
  }
  return `NOT TESTED: ${reason}`;
}
