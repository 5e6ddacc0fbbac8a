import type { MenuItemModel } from '../main/menuModel.js';
import type { TrayPresentation } from '../main/trayPresentation.js';

const escape = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function items(model: readonly MenuItemModel[]): string {
  return model
    .map((item) => {
      switch (item.type) {
        case 'separator':
          return '<li class="sep" role="separator"></li>';
        case 'label':
          return `<li class="label">${escape(item.label)}</li>`;
        case 'action':
          return `<li class="action" data-action="${escape(item.action.kind)}">${escape(item.label)}</li>`;
        case 'checkbox':
          return `<li class="action">${item.checked ? '☑' : '☐'} ${escape(item.label)}</li>`;
        case 'submenu':
          return `<li class="submenu"><span>${escape(item.label)} ▸</span><ul>${items(item.items)}</ul></li>`;
      }
    })
    .join('');
}

/**
 * The tray menu model drawn as a page (submenus shown open beside their parent), for screenshots
 * in docs/ and test artifacts: what Electron's native menu will list, item for item.
 */
export function menuPreviewHtml(
  model: readonly MenuItemModel[],
  tray: TrayPresentation,
  iconDataUrl: string,
  caption: string,
): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(caption)}</title><style>
body{margin:0;padding:16px;font:13px/1.4 system-ui,sans-serif;background:#dfe3e8;color:#111;width:max-content}
.bar{display:flex;align-items:center;gap:8px;background:#2b2b2b;color:#fff;padding:4px 10px;border-radius:4px 4px 0 0}
.bar img{width:20px;height:20px}.tip{color:#ccc;font-size:12px}
ul{list-style:none;margin:0;padding:4px 0;background:#fff;border:1px solid #999;min-width:260px;box-shadow:0 2px 6px #0003}
li{padding:3px 14px;white-space:nowrap}.label{color:#555}.action{color:#000}
.sep{height:1px;background:#ccc;margin:4px 0;padding:0}
.submenu{position:relative}.submenu>ul{margin:2px 0 4px 16px;box-shadow:none;border-color:#bbb}
h1{font-size:12px;font-weight:600;margin:0 0 6px}
</style></head><body><h1>${escape(caption)}</h1>
<div class="bar"><img alt="tray icon: ${escape(tray.indicator)}" src="${iconDataUrl}"><span>${escape(tray.title)}</span><span class="tip">${escape(tray.tooltip)}</span></div>
<ul role="menu">${items(model)}</ul></body></html>`;
}
