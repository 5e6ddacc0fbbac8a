import type { Command } from 'commander';
import { checkPolicyBundle } from './loadPolicyBundle.js';
import type { PolicyBundle } from './PolicyBundle.js';
import { runPolicyTests } from './runPolicyTests.js';

/** Where the commands write; the defaults are the process's streams and exit code. */
export interface PolicyCommandIo {
  out(line: string): void;
  err(line: string): void;
  fail(): void;
}

const processIo: PolicyCommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  fail: () => {
    process.exitCode = 1;
  },
};

/**
 * Adds `policy validate <dir>` and `policy test <dir>` to the broker's command line
 * (`strongroom-broker policy …`). Both exit non-zero with every problem listed on failure.
 */
export function registerPolicyCommands(program: Command, io: PolicyCommandIo = processIo): void {
  const policy = program.command('policy').description('check and test policy bundles (policy as code)');

  policy
    .command('validate')
    .description('validate a policy bundle directory against its Cedar schema')
    .argument('<dir>', 'the bundle directory')
    .action(async (dir: string) => {
      const b = await loadOrReport(dir, io);
      if (b === undefined) return;
      io.out(
        `valid: ${b.manifest.name}, ${b.policies.length} policies, ${b.catalog.size} catalog entities, ${b.tests.length} test files`,
      );
      io.out(`hash:  ${b.hash}`);
      b.release();
    });

  policy
    .command('test')
    .description("run a policy bundle's tests (tests/*.json: request → expected decision and reasons)")
    .argument('<dir>', 'the bundle directory')
    .action(async (dir: string) => {
      const bundle = await loadOrReport(dir, io);
      if (bundle === undefined) return;
      const results = runPolicyTests(bundle);
      bundle.release();
      if (results.length === 0) {
        io.err(`no policy tests in ${dir}/tests`);
        io.fail();
        return;
      }
      for (const r of results) {
        io.out(`${r.passed ? 'ok  ' : 'FAIL'} ${r.file}: ${r.name}`);
        for (const p of r.problems) io.out(`       ${p}`);
        if (!r.passed && r.decision !== undefined)
          io.out(
            `       got ${r.decision.decision}: ${r.decision.reasons.join('; ') || r.decision.determiningPolicies.join(', ')}`,
          );
      }
      const failed = results.filter((r) => !r.passed).length;
      const summary = `${results.length - failed} passed, ${failed} failed (bundle ${bundle.hash})`;
      if (failed > 0) {
        io.err(summary);
        io.fail();
      } else io.out(summary);
    });
}

async function loadOrReport(dir: string, io: PolicyCommandIo): Promise<PolicyBundle | undefined> {
  const result = await checkPolicyBundle(dir);
  if (result.ok) return result.bundle;
  io.err(`invalid policy bundle ${dir}:`);
  for (const e of result.errors) io.err(`  ${e}`);
  io.fail();
  return undefined;
}
