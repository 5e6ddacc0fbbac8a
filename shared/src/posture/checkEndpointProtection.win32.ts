import { z } from 'zod';
import type { PostureCheck, PostureCheckContext } from './PostureCheck.js';
import { failed, passed, unknown, type PostureFinding } from './PostureFinding.js';
import { endpointExpected, judgeEndpointProcesses } from './judgeEndpointProcesses.js';
import { describeExecFailure } from './describeExecFailure.js';
import { asArray, parseJson } from './parseJson.js';
import { runPowerShell } from './runPowerShell.js';

const fixDefender =
  'Turn on Microsoft Defender real-time protection: Windows Security → Virus & threat protection → Manage settings.';

const defenderSchema = z.object({
  AMServiceEnabled: z.boolean(),
  AntivirusEnabled: z.boolean(),
  RealTimeProtectionEnabled: z.boolean(),
  AMRunningMode: z.string().nullish(),
  AntivirusSignatureAge: z.number().nullish(),
});
const processesSchema = z.preprocess(
  asArray,
  z.array(z.object({ Name: z.string(), Path: z.string().nullish() })),
);

async function defender(
  context: PostureCheckContext,
): Promise<{ summary: string; protecting: boolean | undefined }> {
  const script =
    'Get-MpComputerStatus -ErrorAction Stop | Select-Object AMServiceEnabled,AntivirusEnabled,RealTimeProtectionEnabled,AMRunningMode,AntivirusSignatureAge | ConvertTo-Json';
  const result = await runPowerShell(context.host, script, context.options.checkTimeoutMs);
  const failure = describeExecFailure('Get-MpComputerStatus', result);
  if (failure) return { summary: failure, protecting: undefined };
  const status = parseJson(defenderSchema, result.stdout);
  if (!status) return { summary: 'Get-MpComputerStatus: output not understood', protecting: undefined };
  const mode = status.AMRunningMode ?? 'unknown mode';
  const summary = `Defender ${mode}, service ${status.AMServiceEnabled ? 'on' : 'off'}, antivirus ${status.AntivirusEnabled ? 'on' : 'off'}, real-time ${status.RealTimeProtectionEnabled ? 'on' : 'off'}, signatures ${String(status.AntivirusSignatureAge ?? '?')} days old`;
  // In passive mode another product is the primary antivirus and Defender's switches say nothing about it.
  if (
    status.AMRunningMode !== undefined &&
    status.AMRunningMode !== null &&
    status.AMRunningMode !== 'Normal'
  )
    return { summary, protecting: undefined };
  return {
    summary,
    protecting: status.AMServiceEnabled && status.AntivirusEnabled && status.RealTimeProtectionEnabled,
  };
}

async function configured(
  context: PostureCheckContext,
  wanted: readonly string[],
  defenderSummary: string,
): Promise<PostureFinding> {
  const result = await runPowerShell(
    context.host,
    'Get-Process | Select-Object Name,Path | ConvertTo-Json',
    context.options.checkTimeoutMs,
  );
  const failure = describeExecFailure('Get-Process', result);
  const processes = failure ? undefined : parseJson(processesSchema, result.stdout);
  if (!processes) {
    const observed = `${failure ?? 'Get-Process: output not understood'}; ${defenderSummary}`;
    return unknown(observed, endpointExpected(wanted), fixDefender);
  }
  const running = processes.map((process) => ({ name: process.Name, path: process.Path ?? '' }));
  return judgeEndpointProcesses(wanted, running, { caseInsensitive: true, separator: '\\' }, defenderSummary);
}

export const checkEndpointProtectionWin32: PostureCheck = {
  id: 'endpoint_protection',
  async run(context) {
    const wanted = context.options.endpointProcesses.win32;
    const status = await defender(context);
    if (wanted.length > 0) return configured(context, wanted, status.summary);
    const expected = 'Microsoft Defender Antivirus is the active antivirus with real-time protection on';
    if (status.protecting === true) return passed(status.summary, expected);
    if (status.protecting === false) return failed(status.summary, expected, fixDefender);
    return unknown(
      status.summary,
      expected,
      'If another antivirus is in use, ask your administrator to list its processes (posture option endpointProcesses.win32).',
    );
  },
};
