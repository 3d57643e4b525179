// Reading the file `secrets import` brings in: a .env (with the project's own dotenv reader, the same
// rules `secrets export` is proven against) or a JSON object of strings, checked key by key before
// anything is sent. Errors name the key and the reason, never a value.
import { readFileSync } from 'node:fs';
import { parseDotenv } from '../core/dotenv.ts';
import { KEY_MESSAGES, keyProblem, normalizeKey } from '../core/secret-key.ts';
import { CliError } from './errors.ts';
import type { Io } from './io.ts';

export type ImportFormat = 'dotenv' | 'json';

export function formatOf(file: string, flag: string | undefined): ImportFormat {
  if (flag === undefined) return /\.json$/i.test(file) ? 'json' : 'dotenv';
  if (flag !== 'dotenv' && flag !== 'json') throw new CliError('CLI_USAGE', '--format must be dotenv or json');
  return flag;
}

export async function readImportText(io: Io, file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new CliError('CLI_FILE_UNREADABLE', `Cannot read ${file} (${code})`);
  }
}

/** Key → value, keys uppercased and checked; a key twice (after uppercasing) is an error. */
export function parseImport(text: string, format: ImportFormat, file: string): Map<string, string> {
  let raw: [string, unknown][];
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // The parser's message quotes the text around the error, which may be a value.
      throw new CliError('CLI_INVALID_INPUT', `${file} is not valid JSON`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new CliError('CLI_INVALID_INPUT', `${file} must hold one JSON object of KEY: "value" pairs`);
    }
    raw = Object.entries(parsed);
  } else {
    raw = Object.entries(parseDotenv(text));
  }
  const out = new Map<string, string>();
  const spelled = new Map<string, string>();
  for (const [name, value] of raw) {
    const key = normalizeKey(name);
    const problem = keyProblem(key);
    // Keys are names, not secrets, so the offending one is quoted to be found in the file.
    if (problem) throw new CliError('CLI_INVALID_INPUT', `${KEY_MESSAGES[problem]}: ${JSON.stringify(name)} in ${file}`);
    if (typeof value !== 'string') throw new CliError('CLI_INVALID_INPUT', `The value of ${key} in ${file} must be a string`);
    if (value === '') throw new CliError('CLI_INVALID_INPUT', `Secret value is required: ${key} is empty in ${file}`);
    const first = spelled.get(key);
    if (first !== undefined) throw new CliError('CLI_INVALID_INPUT', `${first} and ${name} in ${file} are the same key ${key} once uppercased`);
    spelled.set(key, name);
    out.set(key, value);
  }
  return out;
}
