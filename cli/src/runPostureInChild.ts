import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { postureReportSchema, type PostureReport } from '@strongroom/shared/posture/PostureReport.js';

const worker = fileURLToPath(new URL('./postureWorker.js', import.meta.url));

/**
 * The agent's posture runner: the checks in a child Node process (postureWorker), the report
 * checked against its schema on the way back. Measured: one run in-process grows a resident agent
 * by ~40 MB that V8 keeps after collection; in a child it costs the agent nothing between runs.
 */
export function runPostureInChild(): Promise<PostureReport> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [worker], { timeout: 120_000, maxBuffer: 1024 * 1024 }, (error, stdout) => {
      if (error !== null) {
        reject(new StrongroomError('internal', 'The posture checks failed to run.', { cause: error }));
        return;
      }
      try {
        resolve(postureReportSchema.parse(JSON.parse(stdout)));
      } catch (cause) {
        reject(
          new StrongroomError('internal', 'The posture checks printed an unreadable report.', { cause }),
        );
      }
    });
  });
}
