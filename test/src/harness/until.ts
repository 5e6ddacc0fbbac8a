/**
 * Waits until `check` holds, polling every 200 ms; the test's own timeout bounds it (so a condition
 * that never comes fails the test). `STRONGROOM_DEBUG` prints what it waits for.
 */
export async function until(what: string, check: () => boolean): Promise<void> {
  while (!check()) {
    if (process.env['STRONGROOM_DEBUG']) process.stderr.write(`waiting for ${what}\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
