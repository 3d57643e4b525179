// After the suites ran: everything VS Code wrote to disk (logs, including the extension's "Secrets"
// output channel, state databases, settings) must be free of the tokens and of every value the run
// used. The scan also reports how many request lines the output channel logged, so a run where the
// log was never written cannot pass as "no leak".
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface LeakScan {
  filesScanned: number;
  /** "file: what leaked" */
  leaks: string[];
  /** Lines of the extension's output channel that record a request (method, path, status). */
  requestLines: number;
}

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(p);
    else if (entry.isFile()) yield p;
  }
}

export function scanForLeaks(dir: string, secrets: { label: string; text: string }[], extraTexts: { name: string; text: string }[] = []): LeakScan {
  const result: LeakScan = { filesScanned: 0, leaks: [], requestLines: 0 };
  const check = (name: string, content: string) => {
    for (const s of secrets) if (content.includes(s.text)) result.leaks.push(`${name}: ${s.label}`);
  };
  for (const file of files(dir)) {
    if (statSync(file).size > 50 * 1024 * 1024) continue;
    const content = readFileSync(file).toString('latin1');
    result.filesScanned++;
    check(relative(dir, file), content);
    if (/Secrets\.log$/.test(file)) result.requestLines += content.split('\n').filter((l) => /\b(GET|POST|PATCH|DELETE) \/v1\/\S* \d{3}\b/.test(l)).length;
  }
  for (const t of extraTexts) check(t.name, t.text);
  return result;
}
