/** A tiny element builder: text only through textContent (no innerHTML anywhere in the app). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Array<Node | string | null | undefined | false>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page is missing #${id}`);
  return el as T;
}

export type StatusState = 'idle' | 'busy' | 'done' | 'error';

/** The page's live region (role=status): what screen readers announce, what tests wait on. */
export function say(text: string, state: StatusState): void {
  const status = byId('status');
  status.textContent = text;
  status.dataset['state'] = state;
}

/** "in 42 min", "5 min ago", "just now": relative times against the main process's clock. */
export function relative(at: number, now: number): string {
  const minutes = Math.round(Math.abs(at - now) / 60_000);
  if (minutes < 1) return 'just now';
  const span = minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
  return at >= now ? `in ${span}` : `${span} ago`;
}

export function clock(at: number): string {
  return new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
