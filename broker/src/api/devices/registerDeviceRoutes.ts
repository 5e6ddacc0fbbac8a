import { deviceEnrollmentRequestSchema, type DeviceView } from '@strongroom/shared/protocol/deviceApi.js';
import type { FastifyInstance } from 'fastify';
import { parseBody } from '../../http/parseBody.js';
import type { ApiDeps } from '../ApiDeps.js';
import { apiCallerOf } from '../auth/ApiCaller.js';
import { enrollDevice } from './enrollDevice.js';
import { toDeviceView } from './toDeviceView.js';

/** `POST /devices` (enroll this device) and `GET /devices` (the caller's devices, latest posture). */
export function registerDeviceRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.post('/devices', async (request, reply) => {
    const caller = apiCallerOf(request);
    const body = parseBody(deviceEnrollmentRequestSchema, request.body);
    const result = await enrollDevice(deps, caller, body);
    return reply.status(result.outcome === 'existing' ? 200 : 201).send(result);
  });

  api.get('/devices', async (request) => {
    const caller = apiCallerOf(request);
    const devices = await deps.store.listDevices(caller.user.id);
    const views: DeviceView[] = [];
    for (const device of devices)
      views.push(toDeviceView(device, await deps.store.getDevicePosture(device.id), caller.thumbprint));
    return { devices: views };
  });
}
