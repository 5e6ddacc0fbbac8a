import type { JitWorld, Person } from '../jit/jitWorld.test-support.js';

export const ORIGIN = 'http://localhost:7700';

export interface AdminBrowser {
  /** Cookie header with the page session (and the sign-in CSRF cookie). */
  cookie: string;
  /** The session's synchronizer CSRF token, as the pages embed it. */
  csrf: string;
  get(path: string): Promise<{ status: number; body: string; location?: string }>;
  /** A form POST as a browser sends it (same origin, urlencoded) unless `headers` say otherwise. */
  post(
    path: string,
    form: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: string; location?: string }>;
  postJson(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
}

const cookieOf = (setCookie: string | string[] | undefined, name: string): string | undefined => {
  for (const c of [setCookie ?? []].flat()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return m[1];
  }
  return undefined;
};

/** `p` touches their (software) key over `challenge` on our origin: a fresh assertion with UV. */
export function keyTouch(p: Person, challenge: string): ReturnType<Person['authenticator']['assert']> {
  p.counter += 1;
  return p.authenticator.assert({ challenge, origin: ORIGIN, rpId: 'localhost', counter: p.counter });
}

/** Signs `p` in to the admin pages with their software key, like the browser does (admin/sign-in). */
export async function signInToPages(world: JitWorld, p: Person): Promise<AdminBrowser> {
  const { app } = world.broker;
  const page = await app.inject({ method: 'GET', url: '/admin/sign-in' });
  const csrfCookie = cookieOf(page.headers['set-cookie'], 'sr_csrf') ?? '';
  const base = `sr_csrf=${csrfCookie}`;
  const json = { 'content-type': 'application/json', origin: ORIGIN, cookie: base };
  const options = await app.inject({
    method: 'POST',
    url: '/admin/sign-in/options',
    headers: json,
    payload: { csrf: csrfCookie },
  });
  const challenge = (options.json() as { challenge: string }).challenge;
  const response = keyTouch(p, challenge);
  const done = await app.inject({
    method: 'POST',
    url: '/admin/sign-in',
    headers: json,
    payload: { csrf: csrfCookie, response },
  });
  if (done.statusCode !== 200) throw new Error(`sign-in failed: ${done.body}`);
  const session = cookieOf(done.headers['set-cookie'], 'sr_page');
  const cookie = `${base}; sr_page=${session}`;
  const dash = await app.inject({ method: 'GET', url: '/admin', headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(dash.body)?.[1] ?? '';
  const shape = (r: { statusCode: number; body: string; headers: Record<string, unknown> }) => ({
    status: r.statusCode,
    body: r.body,
    ...(typeof r.headers['location'] === 'string' ? { location: r.headers['location'] } : {}),
  });
  return {
    cookie,
    csrf,
    get: async (path) => shape(await app.inject({ method: 'GET', url: path, headers: { cookie } })),
    post: async (path, form, headers = {}) =>
      shape(
        await app.inject({
          method: 'POST',
          url: path,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            origin: ORIGIN,
            'sec-fetch-site': 'same-origin',
            cookie,
            ...headers,
          },
          payload: new URLSearchParams(form).toString(),
        }),
      ),
    async postJson(path, body) {
      const r = await app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/json', origin: ORIGIN, cookie },
        payload: body as object,
      });
      return { status: r.statusCode, json: r.body ? (r.json() as Record<string, unknown>) : {} };
    },
  };
}
