/**
 * Runs a command's lazily imported code; errors become a message and a documented exit code
 * (reportError, itself loaded only when something failed).
 */
export async function runCommand(json: boolean | undefined, load: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await load();
  } catch (error) {
    const { reportError } = await import('./reportError.js');
    process.exitCode = reportError(error, json === true);
  }
}
