import type { MenuItemConstructorOptions } from 'electron';
import type { MenuAction, MenuItemModel } from './menuModel.js';

/** Renders the menu model to Electron's template; clicks go to `dispatch`. Pure: no Electron call. */
export function menuTemplate(
  items: readonly MenuItemModel[],
  dispatch: (action: MenuAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'action':
        return { label: item.label, click: () => dispatch(item.action) };
      case 'checkbox':
        return {
          label: item.label,
          type: 'checkbox',
          checked: item.checked,
          click: () => dispatch(item.action),
        };
      case 'submenu':
        return { label: item.label, submenu: menuTemplate(item.items, dispatch) };
    }
  });
}
