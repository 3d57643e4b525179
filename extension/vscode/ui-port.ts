// The UI port of the command logic, on VS Code's prompts. An input box is used instead of
// showInputBox because keys must be uppercased as they are typed.
import * as vscode from 'vscode';
import type { InputOptions, PickItem, UiPort } from '../logic/ports.ts';

const REWRITE_PAUSE_MS = 120;

export const vscodeUi: UiPort = {
  input(options: InputOptions): Promise<string | undefined> {
    return new Promise((resolve) => {
      const box = vscode.window.createInputBox();
      box.title = options.title;
      box.prompt = options.prompt;
      box.placeholder = options.placeholder;
      box.password = options.password ?? false;
      box.value = options.value ?? '';
      box.ignoreFocusOut = true;
      let done = false;
      let rewrite: ReturnType<typeof setTimeout> | undefined;
      const finish = (value: string | undefined) => {
        if (done) return;
        done = true;
        clearTimeout(rewrite);
        resolve(value);
        box.dispose();
      };
      const check = (value: string) => {
        box.validationMessage = options.validate?.(value);
      };
      box.onDidChangeValue((value) => {
        const transformed = options.transform?.(value) ?? value;
        check(transformed);
        options.onChange?.(transformed);
        if (transformed === value) return;
        // The box lives in the window, this code in the extension host (possibly remote): rewriting on
        // every keystroke races the keystrokes still in flight and drops characters. Rewrite once the
        // typing pauses, and only if nothing was typed since.
        clearTimeout(rewrite);
        rewrite = setTimeout(() => {
          if (!done && box.value === value) box.value = transformed;
        }, REWRITE_PAUSE_MS);
      });
      box.onDidAccept(() => {
        const value = options.transform?.(box.value) ?? box.value;
        const message = options.validate?.(value);
        if (message) {
          box.validationMessage = message;
          return;
        }
        finish(value);
      });
      box.onDidHide(() => finish(undefined));
      // A prefilled value is judged at once; an empty box only once the user starts typing.
      if (box.value !== '') check(box.value);
      box.show();
    });
  },

  async pick<T>(items: PickItem<T>[], options: { title: string; placeholder?: string }): Promise<T | undefined> {
    const chosen = await vscode.window.showQuickPick(items, { title: options.title, placeHolder: options.placeholder, ignoreFocusOut: true });
    return chosen?.value;
  },

  async pickMany<T>(items: PickItem<T>[], options: { title: string; placeholder?: string }): Promise<T[] | undefined> {
    const chosen = await vscode.window.showQuickPick(items, {
      title: options.title,
      placeHolder: options.placeholder,
      canPickMany: true,
      ignoreFocusOut: true,
    });
    return chosen?.map((c) => c.value);
  },

  async confirm(message: string, options: { detail: string; confirmLabel: string }): Promise<boolean> {
    const answer = await vscode.window.showWarningMessage(message, { modal: true, detail: options.detail }, options.confirmLabel);
    return answer === options.confirmLabel;
  },
};

export const vscodeClipboard = {
  readText: async () => vscode.env.clipboard.readText(),
  writeText: async (text: string) => vscode.env.clipboard.writeText(text),
};
