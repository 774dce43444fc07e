import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, ENVIRONMENT_VARIABLES, loadConfig, projectRoot, type Config } from '../../src/config.js';

/**
 * No Docker engine runs here, so docker-compose.yml is checked by reading it: the environment it gives the
 * service's roles against src/config.ts, and the wiring between services (names, ports, databases,
 * healthchecks, start order) against itself.
 */

type Scalar = string | number | boolean | null;

interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}

interface Dependency {
  condition?: string;
}

type Port = string | number | { target?: number | string; published?: string | number; host_ip?: string };

interface Service {
  image?: string;
  build?: unknown;
  pull_policy?: string;
  command?: string | string[];
  restart?: string;
  environment?: string[] | Record<string, Scalar>;
  depends_on?: string[] | Record<string, Dependency>;
  healthcheck?: Healthcheck;
  ports?: Port[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  stop_grace_period?: string;
}

interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown> | null;
}

function readCompose(): ComposeFile {
  const text = readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8');
  const parsed = parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null || !('services' in parsed)) {
    throw new Error('docker-compose.yml has no services');
  }
  return parsed as ComposeFile;
}

const compose = readCompose();
const services = compose.services;

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/**
 * Resolves Compose interpolation as `docker compose` does with none of the variables set in the shell or an
 * .env file: `${VAR:-default}` and `${VAR-default}` give the default, `$$` a literal `$`. Anything that would
 * need the operator's shell (`${VAR}`, `${VAR:?message}`) cannot be checked here and fails the test.
 */
function interpolate(value: string): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, name, op, fallback, bare) => {
    if (match === '$$') return '$';
    if (op !== undefined) return String(fallback);
    throw new Error(`"${value}" needs ${String(name ?? bare)} from the shell; give it a default (\${VAR:-default})`);
  });
}

/** The variables a service is given, in either Compose form (`- KEY=value` list or `KEY: value` map), as written. */
function rawEnvironmentOf(svc: Service): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  const raw = svc.environment;
  if (raw === undefined) return env;
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const at = entry.indexOf('=');
      // `- KEY` alone passes the shell's value through: given, but unknown here.
      if (at === -1) env.set(entry, undefined);
      else env.set(entry.slice(0, at), entry.slice(at + 1));
    }
  } else {
    for (const [key, value] of Object.entries(raw)) env.set(key, value === null ? undefined : String(value));
  }
  return env;
}

/** The variables a service is given, interpolated. */
function environmentOf(svc: Service): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  for (const [key, value] of rawEnvironmentOf(svc)) env.set(key, value === undefined ? undefined : interpolate(value));
  return env;
}

function given(svc: Service, name: string): string | undefined {
  return environmentOf(svc).get(name);
}

/** A variable that must be given, as a URL. */
function givenUrl(svc: Service, name: string, serviceName: string): URL {
  const value = given(svc, name);
  if (value === undefined) throw new Error(`${serviceName} is not given ${name}`);
  return new URL(value);
}

/** What the service makes of the environment Compose gives it, defaults applied, exactly as at start. */
function effectiveConfig(svc: Service): Config {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of environmentOf(svc)) env[key] = value;
  return loadConfig(env);
}

function dependencies(svc: Service): Record<string, Dependency> {
  const raw = svc.depends_on;
  if (raw === undefined) return {};
  // The short list form waits for nothing but the container to be created.
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((name) => [name, {}]));
  return raw;
}

function healthcheckCommand(svc: Service): string {
  const test = svc.healthcheck?.test;
  if (test === undefined) return '';
  return Array.isArray(test) ? test.join(' ') : test;
}

/** The service whose image comes from this repository (e.g. `postgres` for `postgres:16.13-alpine`). */
function serviceOfImage(repository: string): [string, Service] {
  const matches = Object.entries(services).filter(([, svc]) => svc.image?.split(/[:@]/)[0] === repository);
  if (matches.length !== 1) throw new Error(`expected exactly one service running ${repository}, found ${matches.length}`);
  return matches[0]!;
}

/** The one service whose command runs this script (e.g. the sandbox gateway's main). */
function serviceRunning(script: string): [string, Service] {
  const matches = Object.entries(services).filter(([, svc]) => {
    const command = svc.command;
    const words = Array.isArray(command) ? command : (command ?? '').split(/\s+/);
    return words.includes(script);
  });
  if (matches.length !== 1) throw new Error(`expected exactly one service running ${script}, found ${matches.length}`);
  return matches[0]!;
}

/** Services that others wait on to finish (`service_completed_successfully`): one-shot jobs, not daemons. */
function oneShotJobs(): Set<string> {
  const jobs = new Set<string>();
  for (const svc of Object.values(services)) {
    for (const [name, dependency] of Object.entries(dependencies(svc))) {
      if (dependency.condition === 'service_completed_successfully') jobs.add(name);
    }
  }
  return jobs;
}

interface PublishedPort {
  /** Host address it is published on; undefined means every interface. */
  hostIp: string | undefined;
  /** Host port; undefined means one Docker picks. */
  published: number | undefined;
  target: number;
}

/** The ports a service publishes (`[ip:][published:]target[/proto]`, or the long form). Ranges are not used here. */
function publishedPorts(svc: Service): PublishedPort[] {
  return (svc.ports ?? []).map((port) => {
    if (typeof port === 'object') {
      return { hostIp: port.host_ip, published: port.published === undefined ? undefined : Number(port.published), target: Number(port.target) };
    }
    const parts = String(port).split('/')[0]!.split(':');
    const target = Number(parts.pop());
    const published = parts.length > 0 ? Number(parts.pop()) : undefined;
    const hostIp = parts.length > 0 ? parts.join(':') : undefined;
    return { hostIp, published, target };
  });
}

/** Container ports a service publishes. */
function publishedContainerPorts(svc: Service): number[] {
  return publishedPorts(svc).map((port) => port.target);
}

/** Named-volume mounts of a service: volume name → path in the container. */
function namedVolumeMounts(svc: Service): { volume: string; target: string }[] {
  const mounts: { volume: string; target: string }[] = [];
  for (const entry of svc.volumes ?? []) {
    if (typeof entry === 'object') {
      if ((entry.type ?? 'volume') === 'volume' && entry.source && entry.target) mounts.push({ volume: entry.source, target: entry.target });
      continue;
    }
    const [source, target] = entry.split(':');
    // A source that is a path (./x, /x, ~/x) is a bind mount; a bare name is a named volume.
    if (source && target && !/^[./~]/.test(source)) mounts.push({ volume: source, target });
  }
  return mounts;
}

/** The port of a `host:port` listen address such as Mailpit's MP_SMTP_BIND_ADDR. */
function portOfBindAddress(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/** Compose durations such as `20s`, `1m30s`, `500ms`, in milliseconds. */
function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g, (_, amount: string, unit: string) => {
    total += Number(amount) * units[unit]!;
    return '';
  });
  if (rest !== '') throw new Error(`not a Compose duration: "${text}"`);
  return total;
}

const roles = {
  api: { service: 'api', script: 'api', required: ['DATABASE_URL', 'TEMPORAL_ADDRESS'] },
  worker: { service: 'worker', script: 'worker', required: ['DATABASE_URL', 'TEMPORAL_ADDRESS'] },
  migrate: { service: 'migrate', script: 'db:migrate', required: ['DATABASE_URL'] },
} as const;
const roleList = Object.values(roles);
const longRunningRoles = [roles.api, roles.worker];

/** The sandbox payment gateway's own entry point (`node --import tsx <it>`), run by a service of its own. */
const sandboxScript = 'src/sandbox/payment-gateway/main.ts';
/** The sandbox marketplace's entry point, run by a service of its own. */
const marketplaceScript = 'src/sandbox/marketplace/main.ts';
/** Every service that runs this repository's code, and so reads src/config.ts. */
function ownCodeServices(): string[] {
  return [...roleList.map((role) => role.service), serviceRunning(sandboxScript)[0], serviceRunning(marketplaceScript)[0]];
}

describe('docker-compose.yml', () => {
  describe('images', () => {
    it('pins every image it pulls to a version tag or a digest', () => {
      const built = new Set(Object.values(services).filter((svc) => svc.build !== undefined).map((svc) => svc.image));
      const unpinned: string[] = [];
      for (const [name, svc] of Object.entries(services)) {
        const image = svc.image;
        if (image === undefined) {
          unpinned.push(`${name}: no image`);
          continue;
        }
        if (image.includes('$')) unpinned.push(`${name}: ${image} depends on the shell`);
        else if (/@sha256:[0-9a-f]{64}$/.test(image)) continue;
        else {
          const lastPart = image.split('/').at(-1)!;
          const tag = lastPart.includes(':') ? lastPart.split(':').at(-1)! : undefined;
          if (tag === undefined || tag === 'latest') unpinned.push(`${name}: ${image} has no version`);
          // A pulled image must name a release (16.13, 1.29.7), not a moving major line such as `16-alpine`.
          else if (!built.has(image) && !/\d+\.\d+/.test(tag)) unpinned.push(`${name}: ${image} is not a release`);
        }
      }
      expect(unpinned).toEqual([]);
    });

    it('runs api, worker, migrate and the sandbox gateway from the one image built from the Dockerfile', () => {
      const builders = Object.entries(services).filter(([, svc]) => svc.build !== undefined);
      expect(builders.map(([name]) => name)).toEqual([roles.migrate.service]);
      const image = service(roles.migrate.service).image;
      expect(image).toBeDefined();
      for (const name of ownCodeServices()) {
        expect(service(name).image, name).toBe(image);
        // Never pulled: a registry image of that name would be someone else's code.
        if (name !== roles.migrate.service) expect(service(name).pull_policy, name).toBe('never');
      }
    });

    it('starts each role with its npm script', () => {
      for (const role of roleList) {
        const command = service(role.service).command;
        const words = Array.isArray(command) ? command : (command ?? '').split(/\s+/);
        expect(words, role.service).toEqual(['npm', 'run', role.script]);
      }
    });

    it('starts the sandbox gateway with tsx, a runtime dependency (the image drops dev dependencies)', () => {
      const [name, sandbox] = serviceRunning(sandboxScript);
      expect(sandbox.command, name).toEqual(['node', '--import', 'tsx', sandboxScript]);
      expect(existsSync(path.join(projectRoot, sandboxScript))).toBe(true);
      const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      expect(manifest.dependencies ?? {}).toHaveProperty('tsx');
    });
  });

  describe('health and start order', () => {
    it('gives every service except the one-shot migration job a healthcheck', () => {
      const jobs = oneShotJobs();
      expect([...jobs]).toEqual([roles.migrate.service]);
      const missing = Object.entries(services)
        .filter(([name]) => !jobs.has(name))
        .filter(([, svc]) => svc.healthcheck?.disable === true || !/\S/.test(healthcheckCommand(svc)) || healthcheckCommand(svc) === 'NONE')
        .map(([name]) => name);
      expect(missing).toEqual([]);
    });

    it('runs the migration job once, never restarting it', () => {
      expect(service(roles.migrate.service).restart).toBe('no');
    });

    it('starts api and worker only after migrations succeeded and Temporal is healthy', () => {
      const [temporal] = serviceOfImage('temporalio/auto-setup');
      for (const role of longRunningRoles) {
        const waitsFor = dependencies(service(role.service));
        expect(waitsFor[roles.migrate.service]?.condition, `${role.service} → migrate`).toBe('service_completed_successfully');
        expect(waitsFor[temporal]?.condition, `${role.service} → ${temporal}`).toBe('service_healthy');
      }
    });

    it('starts api and worker after the payment gateway is healthy, and the worker after the SMTP sink', () => {
      const [sandbox] = serviceRunning(sandboxScript);
      const [mailpit] = serviceOfImage('axllent/mailpit');
      for (const role of longRunningRoles) {
        expect(dependencies(service(role.service))[sandbox]?.condition, `${role.service} → ${sandbox}`).toBe('service_healthy');
      }
      expect(dependencies(service(roles.worker.service))[mailpit]?.condition, `worker → ${mailpit}`).toBe('service_healthy');
    });

    it('waits on every dependency with a condition that its target can meet', () => {
      const problems: string[] = [];
      for (const [name, svc] of Object.entries(services)) {
        for (const [target, { condition }] of Object.entries(dependencies(svc))) {
          const other = services[target];
          if (!other) problems.push(`${name} depends on unknown service ${target}`);
          else if (condition === undefined || condition === 'service_started') problems.push(`${name} → ${target}: no readiness condition`);
          else if (condition === 'service_healthy' && !healthcheckCommand(other)) problems.push(`${name} → ${target}: it has no healthcheck`);
          else if (condition === 'service_completed_successfully' && other.restart !== 'no') problems.push(`${name} → ${target}: it restarts`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('gives api, worker and the sandbox gateway longer to stop than their own graceful-shutdown timeout', () => {
      for (const name of [roles.api.service, roles.worker.service, serviceRunning(sandboxScript)[0]]) {
        const svc = service(name);
        // Compose's default is 10 s, after which the container is killed mid-shutdown.
        const grace = durationMs(svc.stop_grace_period ?? '10s');
        expect(grace, name).toBeGreaterThan(effectiveConfig(svc).shutdownTimeoutMs);
      }
    });
  });

  describe('environment of api, worker, migrate and the sandbox gateway', () => {
    it('starts with nothing set in the shell: every interpolated variable has a default', () => {
      const needsShell: string[] = [];
      for (const [name, svc] of Object.entries(services)) {
        try {
          environmentOf(svc);
        } catch (error) {
          needsShell.push(`${name}: ${(error as Error).message}`);
        }
      }
      expect(needsShell).toEqual([]);
    });

    it('gives them only variables the service reads', () => {
      const unknown: string[] = [];
      for (const serviceName of ownCodeServices()) {
        for (const name of environmentOf(service(serviceName)).keys()) {
          if (!Object.hasOwn(ENVIRONMENT_VARIABLES, name)) unknown.push(`${serviceName}: ${name}`);
        }
      }
      expect(unknown).toEqual([]);
    });

    it('gives each role every variable it requires: DATABASE_URL, and TEMPORAL_ADDRESS for api and worker', () => {
      for (const role of roleList) {
        const env = environmentOf(service(role.service));
        for (const name of role.required) expect(env.get(name), `${role.service}: ${name}`).toMatch(/\S/);
      }
    });

    it('gives them values the service accepts', () => {
      for (const name of ownCodeServices()) {
        let error: unknown;
        try {
          effectiveConfig(service(name));
        } catch (caught) {
          error = caught;
        }
        expect(error, name).not.toBeInstanceOf(ConfigError);
        expect(error, name).toBeUndefined();
      }
    });

    it('runs every role in production mode', () => {
      for (const name of ownCodeServices()) expect(given(service(name), 'NODE_ENV'), name).toBe('production');
    });
  });

  describe('wiring', () => {
    it('makes the api listen on all interfaces, on the port it publishes and probes', () => {
      const api = service(roles.api.service);
      expect(given(api, 'HOST')).toBe('0.0.0.0');
      const port = effectiveConfig(api).http.port;
      expect(port).toBe(3000);
      expect(publishedContainerPorts(api)).toContain(port);
      expect(healthcheckCommand(api)).toMatch(new RegExp(`http://(127\\.0\\.0\\.1|localhost):${port}/(readyz|healthz)\\b`));
    });

    it('probes the worker on the metrics port it turns on', () => {
      const worker = service(roles.worker.service);
      const metricsPort = effectiveConfig(worker).temporal.metricsPort;
      // 0 turns the exporter off, and the healthcheck would never pass.
      expect(metricsPort).toBeGreaterThan(0);
      expect(healthcheckCommand(worker)).toContain(`http://127.0.0.1:${metricsPort}/`);
    });

    it('points DATABASE_URL at the postgres service, its port and the database and user it creates', () => {
      const [postgresName, postgres] = serviceOfImage('postgres');
      for (const role of roleList) {
        const url = new URL(given(service(role.service), 'DATABASE_URL')!);
        expect(url.protocol, role.service).toMatch(/^postgres(ql)?:$/);
        expect(url.hostname, role.service).toBe(postgresName);
        expect(url.port || '5432', role.service).toBe('5432');
        expect(decodeURIComponent(url.pathname.slice(1)), role.service).toBe(given(postgres, 'POSTGRES_DB'));
        expect(decodeURIComponent(url.username), role.service).toBe(given(postgres, 'POSTGRES_USER') ?? 'postgres');
        expect(decodeURIComponent(url.password), role.service).toBe(given(postgres, 'POSTGRES_PASSWORD'));
      }
    });

    it('keeps Billing Center\'s database apart from the ones Temporal creates', () => {
      const [postgresName, postgres] = serviceOfImage('postgres');
      const [, temporal] = serviceOfImage('temporalio/auto-setup');
      const billingDatabase = given(postgres, 'POSTGRES_DB');
      expect(billingDatabase).toMatch(/\S/);
      // auto-setup's defaults, unless DBNAME / VISIBILITY_DBNAME say otherwise.
      const temporalDatabases = [given(temporal, 'DBNAME') ?? 'temporal', given(temporal, 'VISIBILITY_DBNAME') ?? 'temporal_visibility'];
      expect(temporalDatabases).not.toContain(billingDatabase);
      expect(given(temporal, 'DB')).toBe('postgres12');
      expect(given(temporal, 'POSTGRES_SEEDS')).toBe(postgresName);
      expect(given(temporal, 'DB_PORT')).toBe('5432');
      expect(given(temporal, 'POSTGRES_USER')).toBe(given(postgres, 'POSTGRES_USER') ?? 'postgres');
      expect(given(temporal, 'POSTGRES_PWD')).toBe(given(postgres, 'POSTGRES_PASSWORD'));
    });

    it('points TEMPORAL_ADDRESS of api, worker and the Web UI at the temporal service\'s frontend port 7233', () => {
      const [temporalName] = serviceOfImage('temporalio/auto-setup');
      const [uiName] = serviceOfImage('temporalio/ui');
      for (const name of [roles.api.service, roles.worker.service, uiName]) {
        expect(given(service(name), 'TEMPORAL_ADDRESS'), name).toBe(`${temporalName}:7233`);
      }
    });

    it('uses the Temporal namespace that auto-setup creates and the temporal healthcheck waits for', () => {
      const [, temporal] = serviceOfImage('temporalio/auto-setup');
      const created = given(temporal, 'DEFAULT_NAMESPACE') ?? 'default';
      expect(given(temporal, 'SKIP_DEFAULT_NAMESPACE_CREATION') ?? 'false').toBe('false');
      expect(healthcheckCommand(temporal)).toMatch(new RegExp(`namespace describe\\b.*(--namespace|-n) ${created}\\b`));
      for (const role of longRunningRoles) {
        expect(effectiveConfig(service(role.service)).temporal.namespace, role.service).toBe(created);
      }
    });

    it('has the api start workflows on the task queue the worker polls', () => {
      const api = effectiveConfig(service(roles.api.service));
      const worker = effectiveConfig(service(roles.worker.service));
      expect(api.temporal.taskQueue).toBe(worker.temporal.taskQueue);
    });

    it('points PAYMENT_GATEWAY_URL of api and worker at the sandbox service and the port it listens on', () => {
      const [sandboxName, sandbox] = serviceRunning(sandboxScript);
      // Reachable from other containers only when it listens on all interfaces.
      expect(given(sandbox, 'HOST')).toBe('0.0.0.0');
      const sandboxPort = effectiveConfig(sandbox).payments.sandboxPort;
      expect(sandboxPort).toBeGreaterThan(0);
      for (const role of longRunningRoles) {
        const svc = service(role.service);
        const url = givenUrl(svc, 'PAYMENT_GATEWAY_URL', role.service);
        expect(url.protocol, role.service).toBe('http:');
        expect(url.hostname, role.service).toBe(sandboxName);
        expect(Number(url.port || 80), role.service).toBe(sandboxPort);
        expect(effectiveConfig(svc).payments.gatewayUrl, role.service).toBe(url.toString().replace(/\/+$/, ''));
      }
    });

    it('gives api, worker and the sandbox gateway the same PAYMENT_WEBHOOK_SECRET, not the published dev key', () => {
      const [sandboxName] = serviceRunning(sandboxScript);
      const names = [roles.api.service, roles.worker.service, sandboxName];
      // The same expression, so that one PAYMENT_WEBHOOK_SECRET in the shell or .env changes all three at once.
      const expressions = names.map((name) => rawEnvironmentOf(service(name)).get('PAYMENT_WEBHOOK_SECRET'));
      expect(expressions[0]).toMatch(/\S/);
      for (const [index, name] of names.entries()) expect(expressions[index], name).toBe(expressions[0]);
      for (const name of names) {
        const payments = effectiveConfig(service(name)).payments;
        expect(payments.webhookSecretIsDevDefault, name).toBe(false);
        expect(payments.webhookSecret.length, name).toBeGreaterThanOrEqual(16);
      }
    });

    it('points PUBLIC_API_URL of api and worker at the api service and its port, where the sandbox posts notifications', () => {
      const api = service(roles.api.service);
      const apiPort = effectiveConfig(api).http.port;
      for (const role of longRunningRoles) {
        const svc = service(role.service);
        const url = givenUrl(svc, 'PUBLIC_API_URL', role.service);
        expect(url.protocol, role.service).toBe('http:');
        expect(url.hostname, role.service).toBe(roles.api.service);
        expect(Number(url.port || 80), role.service).toBe(apiPort);
        expect(effectiveConfig(svc).payments.publicApiUrl, role.service).toBe(url.toString().replace(/\/+$/, ''));
      }
    });

    it('publishes the sandbox gateway on loopback at the port its pay links name, and probes it there without auth', () => {
      const [, sandbox] = serviceRunning(sandboxScript);
      const sandboxPort = effectiveConfig(sandbox).payments.sandboxPort;
      // Pay links are http://127.0.0.1:<SANDBOX_GATEWAY_PORT>/pay/<id>: the host must reach that same port.
      const published = publishedPorts(sandbox).filter((port) => port.target === sandboxPort);
      expect(published).toEqual([{ hostIp: '127.0.0.1', published: sandboxPort, target: sandboxPort }]);
      // GET /healthz is the sandbox's one open route that answers 200 with no order and no merchant key.
      expect(healthcheckCommand(sandbox)).toContain(`http://127.0.0.1:${sandboxPort}/healthz`);
    });

    it('keeps the sandbox gateway\'s orders on a named volume the image\'s user can write', () => {
      const [sandboxName, sandbox] = serviceRunning(sandboxScript);
      const dataDir = given(sandbox, 'DATA_DIR');
      expect(dataDir, 'DATA_DIR').toMatch(/^\//);
      const declared = Object.keys(compose.volumes ?? {});
      const holding = namedVolumeMounts(sandbox).filter(({ target }) => dataDir === target || dataDir!.startsWith(`${target.replace(/\/+$/, '')}/`));
      expect(holding.length, `${sandboxName}: a named volume holding ${dataDir}`).toBe(1);
      expect(declared).toContain(holding[0]!.volume);
      // The Dockerfile runs as `node`, which owns only its home; a new volume takes the owner of the directory
      // it is mounted over, so mounted anywhere else (a path absent from the image) it would be root's.
      expect(holding[0]!.target).toBe('/home/node');
    });

    it('runs the sandbox marketplace with tsx, listening on all interfaces, published and probed on loopback at its port', () => {
      const [name, marketplace] = serviceRunning(marketplaceScript);
      expect(marketplace.command, name).toEqual(['node', '--import', 'tsx', marketplaceScript]);
      expect(existsSync(path.join(projectRoot, marketplaceScript))).toBe(true);
      expect(given(marketplace, 'HOST')).toBe('0.0.0.0');
      const port = effectiveConfig(marketplace).marketplaces.sandboxPort;
      expect(publishedPorts(marketplace)).toEqual([{ hostIp: '127.0.0.1', published: port, target: port }]);
      expect(healthcheckCommand(marketplace)).toContain(`http://127.0.0.1:${port}/healthz`);
      expect(durationMs(marketplace.stop_grace_period ?? '10s')).toBeGreaterThan(effectiveConfig(marketplace).shutdownTimeoutMs);
    });

    it('points the worker\'s MARKETPLACE_*_URL at the sandbox marketplace, its port and each provider\'s path, and starts it after it', () => {
      const [name, marketplace] = serviceRunning(marketplaceScript);
      const port = effectiveConfig(marketplace).marketplaces.sandboxPort;
      const worker = service(roles.worker.service);
      const urls = effectiveConfig(worker).marketplaces.urls;
      for (const provider of ['aws', 'aliyun', 'huawei'] as const) {
        const url = new URL(urls[provider] ?? 'http://unset');
        expect(url.hostname, provider).toBe(name);
        expect(Number(url.port || 80), provider).toBe(port);
        expect(url.pathname, provider).toBe(`/${provider}`);
      }
      expect(dependencies(worker)[name]?.condition).toBe('service_healthy');
    });

    it('points the worker\'s SMTP_URL at the mailpit service\'s SMTP port, and publishes its web UI on loopback', () => {
      const [mailpitName, mailpit] = serviceOfImage('axllent/mailpit');
      const smtpPort = portOfBindAddress(given(mailpit, 'MP_SMTP_BIND_ADDR') ?? '0.0.0.0:1025');
      const uiPort = portOfBindAddress(given(mailpit, 'MP_UI_BIND_ADDR') ?? '0.0.0.0:8025');
      expect(smtpPort).toBe(1025);
      expect(uiPort).toBe(8025);
      const worker = service(roles.worker.service);
      const url = givenUrl(worker, 'SMTP_URL', roles.worker.service);
      expect(url.protocol).toBe('smtp:');
      expect(url.hostname).toBe(mailpitName);
      expect(Number(url.port || 25)).toBe(smtpPort);
      expect(effectiveConfig(worker).mail.smtpUrl).toBe(given(worker, 'SMTP_URL'));
      // Only the worker sends mail; any other role given SMTP_URL must point at the same place.
      for (const name of ownCodeServices()) {
        const other = given(service(name), 'SMTP_URL');
        if (other !== undefined) expect(other, name).toBe(given(worker, 'SMTP_URL'));
      }
      // The UI has no login and shows every message: loopback only, like the Temporal UI.
      expect(publishedPorts(mailpit)).toContainEqual({ hostIp: '127.0.0.1', published: uiPort, target: uiPort });
      for (const port of publishedPorts(mailpit)) expect(port.hostIp, `${mailpitName} publishes ${port.target}`).toBe('127.0.0.1');
      // The check the image's own HEALTHCHECK runs: the binary asks the web server it started.
      expect(healthcheckCommand(mailpit)).toMatch(/^CMD(-SHELL)? \/mailpit readyz\b/);
    });
  });
});
