// Which names can be environment variables everywhere a secret is exported (GITHUB_ENV, a dotenv file, a
// shell's export, a child process): letters, digits and underscore, not starting with a digit. One rule for
// the Action's export names and the dotenv writer, which each had a copy.
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isEnvName(name: string): boolean {
  return ENV_NAME_PATTERN.test(name);
}
