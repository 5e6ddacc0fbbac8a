import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public');
const browserBundle = join(
  dirname(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser'))),
  'dist',
  'bundle',
  'index.umd.min.js',
);

/** A closed list of static files: nothing else on disk can be reached through /assets. */
const assets: Record<string, { file: string; type: string }> = {
  'simplewebauthn-browser.js': { file: browserBundle, type: 'text/javascript; charset=utf-8' },
  'ceremony.js': { file: join(publicDir, 'ceremony.js'), type: 'text/javascript; charset=utf-8' },
  'login.js': { file: join(publicDir, 'login.js'), type: 'text/javascript; charset=utf-8' },
  'enroll.js': { file: join(publicDir, 'enroll.js'), type: 'text/javascript; charset=utf-8' },
  'approve.js': { file: join(publicDir, 'approve.js'), type: 'text/javascript; charset=utf-8' },
  'unlock.js': { file: join(publicDir, 'unlock.js'), type: 'text/javascript; charset=utf-8' },
  'broker.css': { file: join(publicDir, 'broker.css'), type: 'text/css; charset=utf-8' },
};

export async function registerAssetRoutes(app: FastifyInstance): Promise<void> {
  const loaded = new Map<string, Buffer>();
  for (const [name, asset] of Object.entries(assets)) loaded.set(name, await readFile(asset.file));
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const asset = Object.hasOwn(assets, request.params.name) ? assets[request.params.name] : undefined;
    const body = loaded.get(request.params.name);
    if (!asset || !body) return reply.callNotFound();
    return reply.header('cache-control', 'public, max-age=300').type(asset.type).send(body);
  });
}
