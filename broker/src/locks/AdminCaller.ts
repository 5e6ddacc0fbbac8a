import type { ApiCaller } from '../api/auth/ApiCaller.js';

/** Who acts as admin: an API caller, or a signed-in admin page (the route has checked the role). */
export type AdminCaller = Pick<ApiCaller, 'user' | 'srcIp'>;
