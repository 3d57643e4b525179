// Values that cannot reach a program's environment (or a shell) exactly are refused by key, never quoted:
// spawn's own error for a NUL would print the value, and a lone surrogate would silently become U+FFFD.
import { CliError } from './errors.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function refuseInexpressibleValues(values: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value.includes('\0')) throw new CliError('CLI_INVALID_INPUT', `Secret ${key} contains a NUL character, which an environment variable cannot hold`);
    if (LONE_SURROGATE.test(value)) throw new CliError('CLI_INVALID_INPUT', `Secret ${key} contains a lone UTF-16 surrogate, which cannot be written as UTF-8`);
  }
}
