// The UI port driven by a script of answers, recording every prompt. Like VS Code's input box it
// applies `transform` to what is "typed" and refuses to accept text that `validate` rejects, so the
// live-validation path of the logic runs for real.
import type { ClipboardPort, InputOptions, PickItem, UiPort } from '../../../../extension/logic/ports.ts';

export type Answer =
  | { input: string | undefined }
  | { pick: string | undefined }
  | { pickMany: string[] | undefined }
  | { confirm: boolean };

export interface Prompt {
  kind: 'input' | 'pick' | 'pickMany' | 'confirm';
  title: string;
  text?: string;
  detail?: string;
  password?: boolean;
  value?: string;
  /** For inputs: the validation message for the answer as typed, or undefined when it was fine. */
  validation?: string;
  /** For inputs: the text after the live transform (what the box showed). */
  shown?: string;
  labels?: string[];
  /** For pickMany: the labels shown ticked. */
  picked?: string[];
}

export class ScriptedUi implements UiPort {
  readonly prompts: Prompt[] = [];
  readonly #answers: Answer[];
  readonly options: InputOptions[] = [];

  constructor(answers: Answer[] = []) {
    this.#answers = [...answers];
  }

  get unused(): number {
    return this.#answers.length;
  }

  async input(options: InputOptions): Promise<string | undefined> {
    this.options.push(options);
    const a = this.#next('input') as { input: string | undefined };
    if (a.input === undefined) {
      this.prompts.push({ kind: 'input', title: options.title, ...describe(options) });
      return undefined;
    }
    // Typed character by character, as the box's onDidChangeValue sees it.
    let shown: string;
    shown = '';
    for (const ch of a.input) {
      shown = options.transform ? options.transform(shown + ch) : shown + ch;
      options.onChange?.(shown);
    }
    const validation = options.validate?.(shown);
    this.prompts.push({ kind: 'input', title: options.title, ...describe(options), shown, ...(validation ? { validation } : {}) });
    if (validation) throw new Error(`scripted answer ${JSON.stringify(a.input)} would not be accepted: ${validation}`);
    return shown;
  }

  async pick<T>(items: PickItem<T>[], options: { title: string }): Promise<T | undefined> {
    const a = this.#next('pick') as { pick: string | undefined };
    this.prompts.push({ kind: 'pick', title: options.title, labels: items.map((i) => i.label) });
    if (a.pick === undefined) return undefined;
    const item = items.find((i) => i.label === a.pick);
    if (!item) throw new Error(`no item ${a.pick} among ${items.map((i) => i.label).join(', ')}`);
    return item.value;
  }

  async pickMany<T>(items: PickItem<T>[], options: { title: string }): Promise<T[] | undefined> {
    const a = this.#next('pickMany') as { pickMany: string[] | undefined };
    this.prompts.push({ kind: 'pickMany', title: options.title, labels: items.map((i) => i.label), picked: items.filter((i) => i.picked).map((i) => i.label) });
    return a.pickMany?.map((label) => items.find((i) => i.label === label)!.value);
  }

  async confirm(message: string, options: { detail: string; confirmLabel: string }): Promise<boolean> {
    const a = this.#next('confirm') as { confirm: boolean };
    this.prompts.push({ kind: 'confirm', title: message, detail: options.detail, text: options.confirmLabel });
    return a.confirm;
  }

  #next(kind: string): Answer {
    const a = this.#answers.shift();
    if (!a) throw new Error(`unexpected ${kind} prompt: the script has no more answers`);
    if (!(kind in a)) throw new Error(`expected a ${Object.keys(a)[0]} answer next, got a ${kind} prompt`);
    return a;
  }
}

function describe(o: InputOptions): Partial<Prompt> {
  return { ...(o.prompt ? { text: o.prompt } : {}), ...(o.password ? { password: true } : {}), ...(o.value !== undefined ? { value: o.value } : {}) };
}

/** An in-memory clipboard, like the system one: the last write wins. */
export class MemoryClipboard implements ClipboardPort {
  text = '';
  writes: string[] = [];
  async readText(): Promise<string> {
    return this.text;
  }
  async writeText(text: string): Promise<void> {
    this.text = text;
    this.writes.push(text);
  }
}
