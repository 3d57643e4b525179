// Reading what must not go on the command line (tokens, values): a hidden prompt on a terminal, or stdin
// when it is a pipe. Prompts are written to stderr so stdout stays clean for scripts.
import { createInterface } from 'node:readline';
import { CliError } from './errors.ts';
import type { Io } from './io.ts';

export function canPrompt(io: Io): boolean {
  return io.stdin.isTTY === true && typeof io.stdin.setRawMode === 'function';
}

/** Reads one line from the terminal without echoing it. */
export function readHidden(io: Io, question: string): Promise<string> {
  const { stdin, stderr } = io;
  // Echo goes off before the prompt appears: anything typed the instant it shows must not be echoed.
  stdin.setRawMode!(true);
  stderr.write(question);
  return new Promise<string>((resolve, reject) => {
    let input = '';
    const finish = (err?: CliError) => {
      stdin.off('data', onData);
      stdin.setRawMode!(false);
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err);
      else resolve(input);
    };
    const onData = (chunk: string | Buffer) => {
      // A paste arrives as one chunk, so every character is looked at, not just the first.
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new CliError('CLI_INTERRUPTED', 'Interrupted'));
        if (ch === '\u0004') {
          if (input === '') return finish();
          continue;
        }
        if (ch === '\u007f' || ch === '\b') input = [...input].slice(0, -1).join('');
        else if (ch === '\u0015') input = '';
        else if (ch >= ' ' || ch === '\t') input += ch;
      }
    };
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** Asks a yes/no question on the terminal; only an explicit "y" or "yes" is a yes. */
export function confirm(io: Io, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  return new Promise<boolean>((resolve, reject) => {
    rl.on('SIGINT', () => {
      rl.close();
      io.stderr.write('\n');
      reject(new CliError('CLI_INTERRUPTED', 'Interrupted'));
    });
    rl.question(question, (answer) => {
      rl.close();
      resolve(/^\s*y(es)?\s*$/i.test(answer));
    });
  });
}

/** All of stdin as UTF-8, for values piped in (`secrets set KEY < file`). */
export async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** `echo value | secrets set KEY` should store "value", not "value\n": one final line break is dropped. */
export function dropFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}
