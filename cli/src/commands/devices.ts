import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { printable } from '@strongroom/shared/posture/PostureFinding.js';
import { deviceListResponseSchema, type DeviceView } from '@strongroom/shared/protocol/deviceApi.js';
import { cliContext, noBrowser, type GlobalOptions } from '../cliContext.js';
import { deviceClient } from '../deviceClient.js';
import { EXIT } from '../exitCodes.js';

function postureText(device: DeviceView, now: number): string {
  if (!device.posture) return 'never attested';
  const minutes = Math.max(0, Math.round((now - Date.parse(device.posture.attestedAt)) / 60_000));
  return `${device.posture.compliant ? 'compliant' : 'NOT compliant'} (${minutes} min ago)`;
}

/** `strongroom devices`: the signed-in user's devices at the broker, with their latest posture. */
export async function devices(global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const context = await cliContext(global, noBrowser);
  const { client } = await deviceClient(context);
  const response = await client.request('GET', '/api/v1/devices');
  const parsed = deviceListResponseSchema.safeParse(await response.json());
  if (!parsed.success)
    throw new StrongroomError(
      'broker_error',
      'The broker answered the device list with something unexpected.',
      {
        cause: parsed.error,
      },
    );
  const list = parsed.data.devices;
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ profile: context.profile.name, devices: list })}\n`);
    return EXIT.ok;
  }
  if (list.length === 0) {
    process.stdout.write('No devices enrolled yet. Run `strongroom posture` to enroll this one.\n');
    return EXIT.ok;
  }
  const now = context.host.now();
  const rows = list.map((d) => [
    `${d.current ? '* ' : '  '}${printable(d.hostname, 40)}`,
    d.status,
    d.keyProtection,
    printable(`${d.os} ${d.osVersion}`, 40),
    postureText(d, now),
    d.id,
  ]);
  const header = ['  HOST', 'STATUS', 'KEY', 'OS', 'POSTURE', 'ID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n\n* this device\n`);
  return EXIT.ok;
}
