// Prints what a file gains while something runs (the extension host's results.log), so a long
// integration run shows progress instead of going quiet.
import { existsSync, readFileSync } from 'node:fs';

export function follow(file: string, print: (text: string) => void): () => void {
  let printed = 0;
  const flush = () => {
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    if (text.length < printed) printed = 0;
    if (text.length > printed) {
      print(text.slice(printed));
      printed = text.length;
    }
  };
  const timer = setInterval(flush, 250);
  return () => {
    clearInterval(timer);
    flush();
  };
}
