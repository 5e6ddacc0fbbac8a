import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadDeviceKey } from '@strongroom/shared/device/loadDeviceKey.js';
import { loadSoftwareDeviceKey } from '@strongroom/shared/device/loadSoftwareDeviceKey.js';
import { startSwtpm } from '@strongroom/shared/device/tpm/startSwtpm.test-support.js';
import { createMemoryCredentialStore } from '@strongroom/shared/vault/createMemoryCredentialStore.js';
import { intArg, median, percentile } from './benchStats.js';

/**
 * The TPM device key's cost per signature (one DPoP proof or posture report), against the software
 * key measured in the same run: `DeviceKey.sign` on a real software TPM (swtpm over TCP, no resource
 * manager, so every step is followed by a flush), and the one-time load per process. A hardware TPM
 * is slower than swtpm (tens of ms per ECDSA signature); these figures are the client's own overhead
 * (tpm2-tools process starts, files, DER conversion, the in-process verify).
 *
 *   node bench/dist/deviceKeyBench.js [--signs 40]
 */
const signs = intArg('--signs', 40);
const data = new TextEncoder().encode('x'.repeat(600)); // about a DPoP proof's signing input

async function timeSigns(sign: (d: Uint8Array) => Promise<Uint8Array>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < signs; i++) {
    const started = performance.now();
    await sign(data);
    times.push(performance.now() - started);
  }
  return times;
}

const tpm = await startSwtpm();
try {
  const software = await loadSoftwareDeviceKey(createMemoryCredentialStore(), 'bench');
  const settings = { platform: 'linux', choice: 'tpm', tcti: tpm.tcti } as const;
  const store = createMemoryCredentialStore();
  let started = performance.now();
  const created = await loadDeviceKey(store, 'bench', settings);
  const createMs = performance.now() - started;
  const { loadTpmDeviceKey } = await import('@strongroom/shared/device/tpm/loadTpmDeviceKey.js');
  const entry = JSON.parse((await store.get('bench.device', 'tpm_key')) ?? '') as {
    public: string;
    private: string;
  };
  started = performance.now();
  const key = await loadTpmDeviceKey(tpm.tcti, {
    public: Buffer.from(entry.public, 'base64'),
    private: Buffer.from(entry.private, 'base64'),
  });
  const loadMs = performance.now() - started;
  if (key.thumbprint !== created.thumbprint) throw new Error('reloaded a different key');
  const base = await timeSigns(software.sign);
  const tpmTimes = await timeSigns(key.sign);
  const [m1, m5] = loadavg();
  console.log(`load average ${m1?.toFixed(2)} ${m5?.toFixed(2)} (1, 5 min)`);
  console.log(
    `software sign: median ${median(base).toFixed(2)} ms, p95 ${percentile(base, 95).toFixed(2)} ms`,
  );
  console.log(
    `TPM (swtpm) sign: median ${median(tpmTimes).toFixed(1)} ms, p95 ${percentile(tpmTimes, 95).toFixed(1)} ms (${(median(tpmTimes) / median(base)).toFixed(0)}x software)`,
  );
  console.log(
    `TPM key create (first sign-in): ${createMs.toFixed(0)} ms; load per process: ${loadMs.toFixed(0)} ms`,
  );
} finally {
  await tpm.stop();
}
