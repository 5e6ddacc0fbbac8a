/**
 * Runs the posture checks once and prints the report as JSON: the agent runs its checks in this
 * short-lived child (runPostureInChild) so what they allocate (the apt security-list scan, command
 * output) is returned to the OS when the child exits instead of staying in the agent's heap.
 */
import { createNodePostureHost } from '@strongroom/shared/posture/nodeHost.js';
import { runPostureChecks } from '@strongroom/shared/posture/runPostureChecks.js';

process.stdout.write(`${JSON.stringify(await runPostureChecks(createNodePostureHost()))}\n`);
