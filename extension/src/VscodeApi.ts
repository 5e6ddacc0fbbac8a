import type * as vscode from 'vscode';

/**
 * The part of the `vscode` module the extension uses. Everything except `extension.ts` receives it
 * as an argument instead of importing `vscode`, so unit tests hand in a fake of exactly this
 * surface (the edge) and the real code runs unchanged.
 */
export type VscodeApi = Pick<
  typeof vscode,
  | 'window'
  | 'commands'
  | 'env'
  | 'workspace'
  | 'Uri'
  | 'StatusBarAlignment'
  | 'ThemeColor'
  | 'ThemeIcon'
  | 'TreeItem'
  | 'TreeItemCollapsibleState'
  | 'EventEmitter'
  | 'MarkdownString'
  | 'ProgressLocation'
  | 'QuickPickItemKind'
>;

export type { vscode };
