// A policy's condition on one claim: an exact value, or a glob. `*` matches any run of characters
// except `/` (so `refs/heads/*` is one branch level, as GitHub's branch filters read), `**` any run
// including `/`, `?` one character other than `/`. There is no escape: claims GitHub issues never
// contain `*` or `?`.

const GLOB_CHARS = /[*?]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

function toRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

export function matchesClaim(pattern: string, value: string): boolean {
  return isGlob(pattern) ? toRegExp(pattern).test(value) : pattern === value;
}
