// `secrets export --format shell`: `export NAME='value'` lines for `eval` in bash, dash or zsh. Names are
// checked by core/refused-names.ts with `shell: true` (a name a shell assigns specially, such as RANDOM or
// zsh's COLUMNS, evaluates the value as arithmetic and can run `$(…)`); values are single-quoted, which
// all three shells read back byte for byte, after refusing what no shell variable can hold.
import { checkExportNames } from '../core/refused-names.ts';
import { refuseInexpressibleValues } from './env-values.ts';
import { shellQuote } from './shell-quote.ts';

export function shellExports(values: Readonly<Record<string, string>>, allow: readonly string[] = []): string {
  checkExportNames(Object.keys(values), { allow, shell: true });
  refuseInexpressibleValues(values);
  return Object.entries(values)
    .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
    .join('');
}
