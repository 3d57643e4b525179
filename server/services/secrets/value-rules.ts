// What a secret's value must be, for every write that takes one (single create, update, batch).
import { SECRET_VALUE_MAX_BYTES } from '../../../core/api-types.ts';
import { ValidationProblem } from '../../http/schemas.ts';

export function checkValueSize(value: string): void {
  if (Buffer.byteLength(value, 'utf8') > SECRET_VALUE_MAX_BYTES) throw new ValidationProblem('body.value', 'must be at most 64 KiB');
}
