// Runs the committed action bundle the way GitHub's runner does: a separate node process per step, inputs as
// INPUT_<NAME> variables (action.yml defaults filled in), the file-command files GITHUB_ENV, GITHUB_OUTPUT,
// GITHUB_STATE and GITHUB_STEP_SUMMARY, workflow commands read from stdout, and the post step given the
// saved state as STATE_<name>. The file and command parsers follow actions/runner's (Linux) behaviour, so a
// value that round-trips here round-trips in a real job.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '../..');

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  runs: { using: string; main: string; post?: string };
}

export function readActionYml(): ActionYml {
  return parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
}

export interface Command {
  command: string;
  properties: Record<string, string>;
  data: string;
}

export interface StepResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  commands: Command[];
  /** The data of every ::add-mask:: command, unescaped as the runner does. */
  masks: string[];
  errors: string[];
  warnings: string[];
  /** Variables the step exported through GITHUB_ENV, parsed as the runner does. */
  env: Record<string, string>;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** The raw text of the files, for leak checks. */
  files: { env: string; output: string; state: string; summary: string };
}

/** One job: its workspace and temp directory; each step gets fresh file-command files, as on a runner. */
export class Job {
  readonly dir: string;
  readonly workspace: string;
  readonly runnerTemp: string;
  state: Record<string, string> = {};
  #step = 0;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'action-job-'));
    this.workspace = join(this.dir, 'workspace');
    this.runnerTemp = join(this.dir, 'temp');
    mkdirSync(this.workspace);
    mkdirSync(this.runnerTemp);
  }

  /** Runs the main step with these inputs (names as in action.yml); `env` is the job's own environment. */
  async main(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<StepResult> {
    const yml = readActionYml();
    const inputEnv: Record<string, string> = {};
    for (const [name, spec] of Object.entries(yml.inputs)) {
      if (spec.default !== undefined) inputEnv[inputVariable(name)] = spec.default;
    }
    for (const [name, value] of Object.entries(inputs)) {
      if (!(name in yml.inputs)) throw new Error(`test bug: ${name} is not an input in action.yml`);
      inputEnv[inputVariable(name)] = value;
    }
    const result = await this.#run(join(ROOT, yml.runs.main), { ...env, ...inputEnv });
    this.state = { ...this.state, ...result.state };
    return result;
  }

  /** Runs the post step with the state the main step saved. */
  async post(env: Record<string, string> = {}): Promise<StepResult> {
    const yml = readActionYml();
    const stateEnv: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.state)) stateEnv[`STATE_${name}`] = value;
    return this.#run(join(ROOT, yml.runs.post!), { ...env, ...stateEnv });
  }

  async #run(script: string, stepEnv: Record<string, string>): Promise<StepResult> {
    const step = ++this.#step;
    const files = {
      env: join(this.runnerTemp, `set_env_${step}`),
      output: join(this.runnerTemp, `set_output_${step}`),
      state: join(this.runnerTemp, `save_state_${step}`),
      summary: join(this.runnerTemp, `step_summary_${step}`),
    };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: this.workspace,
      RUNNER_OS: 'Linux',
      RUNNER_TEMP: this.runnerTemp,
      GITHUB_ENV: files.env,
      GITHUB_OUTPUT: files.output,
      GITHUB_STATE: files.state,
      GITHUB_STEP_SUMMARY: files.summary,
      ...stepEnv,
    };
    for (const [k, v] of Object.entries(env)) if (v === '') delete env[k]; // an empty string means "unset" here
    // Inputs are the exception: the runner sets an input with an empty default to ''.
    for (const [k, v] of Object.entries(stepEnv)) if (k.startsWith('INPUT_')) env[k] = v;

    const child = spawn(process.execPath, [script], { cwd: this.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exitCode = await new Promise<number | null>((res) => child.on('close', (code) => res(code)));

    const text = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, readFileSync(f, 'utf8')])) as StepResult['files'];
    const commands = parseCommands(stdout);
    return {
      exitCode,
      stdout,
      stderr,
      commands,
      masks: commands.filter((c) => c.command === 'add-mask').map((c) => c.data),
      errors: commands.filter((c) => c.command === 'error').map((c) => c.data),
      warnings: commands.filter((c) => c.command === 'warning').map((c) => c.data),
      env: parseFileCommand(text.env),
      outputs: parseFileCommand(text.output),
      state: parseFileCommand(text.state),
      summary: text.summary,
      files: text,
    };
  }
}

/** The runner's input variable name: uppercased, spaces to underscores, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Workflow commands, one per stdout line, with data and properties unescaped as actions/runner does. */
export function parseCommands(stdout: string): Command[] {
  const out: Command[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
    }
    out.push({ command: m[1]!, properties, data: unescapeData(m[3]!) });
  }
  return out;
}

function unescapeData(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

function unescapeProperty(s: string): string {
  return s.replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

/**
 * GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE as actions/runner's SetEnvFileCommand reads them on Linux:
 * `NAME=value` lines, or `NAME<<DELIMITER` followed by lines up to one exactly equal to DELIMITER, the value
 * being the text in between without the newline before the delimiter line.
 */
export function parseFileCommand(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  let index = 0;
  const readLine = (): { line: string; newline: string } | null => {
    if (index >= text.length) return null;
    const start = index;
    const lf = text.indexOf('\n', index);
    if (lf < 0) {
      index = text.length;
      return { line: text.slice(start), newline: '' };
    }
    index = lf + 1;
    return { line: text.slice(start, lf), newline: '\n' };
  };
  for (let r = readLine(); r !== null; r = readLine()) {
    const line = r.line;
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      result[line.slice(0, eq)] = line.slice(eq + 1);
    } else if (heredoc >= 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (name === '' || delimiter === '') throw new Error(`invalid file command line ${JSON.stringify(line)}`);
      const start = index;
      let end = index;
      for (let t = readLine(); ; t = readLine()) {
        if (t === null) throw new Error(`matching delimiter not found for ${name}`);
        if (t.line === delimiter) break;
        end = index - t.newline.length;
      }
      result[name] = end > start ? text.slice(start, end) : '';
    } else {
      throw new Error(`invalid file command line ${JSON.stringify(line)}`);
    }
  }
  return result;
}
