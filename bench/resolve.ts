// How long resolveSecrets takes for 10k–100k secrets with references and long chains, and how that scales.
// Linear work means the 100k time is about ten times the 10k time; the target is 100k well under a second.
//   npm run bench:resolve
import { resolveSecrets, resolveText } from '../core/resolve.ts';
import { prng } from '../test/helpers/prng.ts';

const SIZES = [10_000, 20_000, 50_000, 100_000];
const RUNS = 5;


/**
 * An environment of `n` secrets: a tenth form one chain n/10 long, a fifth sit in chains of 100, a
 * quarter reference one to three others ($NAME and ${NAME}, as in connection strings), some hold `$$`
 * escapes and literal `$`, the rest are plain. References only point to higher numbers, so there is no cycle.
 */
function environment(n: number): Record<string, string> {
  const next = prng(n);
  const key = (i: number) => `SECRET_${i}`;
  const text = (length: number) => {
    let s = '';
    while (s.length < length) s += Math.floor(next() * 36 ** 6).toString(36);
    return s.slice(0, length);
  };
  const values: Record<string, string> = {};
  const longChain = Math.floor(n / 10);
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    const r = next();
    if (i < longChain) {
      values[key(i)] = i + 1 < longChain ? `${text(8)}/$${key(i + 1)}` : text(24);
    } else if (r < 0.2 && !last) {
      values[key(i)] = (i + 1) % 100 === 0 ? text(24) : `\${${key(i + 1)}}-x`;
    } else if (r < 0.45 && !last) {
      const refs = 1 + Math.floor(next() * 3);
      const parts = ['postgres://'];
      for (let j = 0; j < refs; j++) {
        const target = i + 1 + Math.floor(next() * (n - i - 1));
        parts.push(j % 2 === 0 ? `$${key(target)}` : `\${${key(target)}}`, j + 1 < refs ? ':' : '/app');
      }
      values[key(i)] = parts.join('');
    } else if (r < 0.55) {
      values[key(i)] = `cost $$5 or $5, ${text(20)}`;
    } else {
      values[key(i)] = text(32);
    }
  }
  return values;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * CPU time of the process in ms (garbage collection included). The machines this runs on are shared, so
 * wall time would mostly measure the neighbours; CPU time is what the resolver itself costs.
 */
function time(fn: () => unknown): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

// Warm the JIT so the first size is not charged for compilation.
for (let i = 0; i < 3; i++) resolveSecrets(environment(10_000));

console.log(`resolveSecrets, CPU time, median of ${RUNS} runs (Node ${process.version})`);
console.log('secrets   input chars   references      ms   µs/secret');
const results: { n: number; ms: number }[] = [];
for (const n of SIZES) {
  const values = environment(n);
  let chars = 0;
  let refs = 0;
  for (const v of Object.values(values)) {
    chars += v.length;
    refs += (v.match(/\$(?=[A-Za-z_{])/g) ?? []).length;
  }
  const ms = median(Array.from({ length: RUNS }, () => time(() => resolveSecrets(values))));
  results.push({ n, ms });
  console.log(
    `${String(n).padStart(7)}  ${String(chars).padStart(12)}  ${String(refs).padStart(11)}  ${ms.toFixed(1).padStart(6)}  ${((ms * 1000) / n).toFixed(2).padStart(10)}`,
  );
}
const first = results[0]!;
const lastResult = results[results.length - 1]!;
for (let i = 1; i < results.length; i++) {
  const [a, b] = [results[i - 1]!, results[i]!];
  console.log(`scaling ${a.n / 1000}k → ${b.n / 1000}k: ×${(b.ms / a.ms).toFixed(2)} time for ×${b.n / a.n} secrets`);
}
console.log(
  `scaling ${first.n / 1000}k → ${lastResult.n / 1000}k: ×${(lastResult.ms / first.ms).toFixed(2)} time for ×${lastResult.n / first.n} secrets (linear = ×${lastResult.n / first.n})`,
);
console.log(`100k secrets: ${lastResult.ms.toFixed(0)} ms (target: well under 1000 ms)`);

// A template that references every secret once: the workflow-input / template-file path.
const values = environment(100_000);
const template = Object.keys(values)
  .map((k, i) => (i % 2 === 0 ? `${k}=$${k}` : `${k}=\${${k}}`))
  .join('\n');
const textMs = median(Array.from({ length: RUNS }, () => time(() => resolveText(template, values))));
console.log(`resolveText: ${(template.length / 1e6).toFixed(1)} MB template with 100k references: ${textMs.toFixed(0)} ms`);
