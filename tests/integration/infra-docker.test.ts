/**
 * The container files cannot be built or run here (no Docker engine on the development and
 * CI machines), so they are checked with tools instead:
 * - docker-compose.yml against the official Compose Specification JSON schema (shipped
 *   by the `dclint` package), parsed with `yaml`, checked with `ajv`, then with dclint's
 *   own rules (security and best practice; its pure key-ordering style rules off);
 * - infra/Dockerfile with `dockerfile-utils` (the Dockerfile language server's validator)
 *   and `dockerfile-ast` (its parser) for what the image must contain;
 * - the app's environment against the variables server/src/config.ts knows, and the
 *   README against the same list;
 * - `docker compose config -q` as well where a docker client with the compose plugin exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { DCLinter } from 'dclint';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate as validateDockerfile, ValidationSeverity } from 'dockerfile-utils';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

// --- helpers ------------------------------------------------------------------------------

type Service = {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null>;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

function composeValidator(): ValidateFunction {
  const require = createRequire(import.meta.url);
  const schemaFile = path.join(
    path.dirname(require.resolve('dclint/package.json')),
    'schemas/compose.schema.json',
  );
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { title: string };
  expect(schema.title).toBe('Compose Specification');
  // The schema names the draft-07 meta-schema by its https address; ajv knows it by the
  // http one. Register it under both so the schema itself is validated too.
  const draft7 = require('ajv/dist/refs/json-schema-draft-07.json') as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema({ ...draft7, $id: 'https://json-schema.org/draft-07/schema' });
  // strict: false because the official schema uses keywords ajv does not know ("deprecated").
  return ajv.compile(schema);
}

function schemaErrors(validate: ValidateFunction, doc: unknown): string[] {
  return validate(doc)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** dclint's errors for one compose file; its ordering-only style rules are off. */
function dclintErrors(file: string): string[] {
  const linter = new DCLinter({
    rules: {
      'service-keys-order': 0,
      'services-alphabetical-order': 0,
      'service-dependencies-alphabetical-order': 0,
    },
    quiet: true,
    debug: false,
    exclude: [],
  });
  // dclint's declaration files use extensionless relative imports, which NodeNext does not
  // follow, so its result type is spelled out here.
  const results = linter.lintFiles([file], false) as {
    messages: { rule: string; type: string; message: string }[];
  }[];
  return results
    .flatMap((r) => r.messages)
    .filter((m) => m.type === 'error')
    .map((m) => `${m.rule}: ${m.message}`);
}

/** The keys of the zod `Env` object in server/src/config.ts, read from its text. */
function configEnvKeys(): string[] {
  const text = read('server/src/config.ts');
  const body = /const Env = z\.object\(\{([\s\S]*?)\n\}\);/.exec(text)?.[1];
  if (!body) throw new Error('server/src/config.ts: `const Env = z.object({ ... });` not found');
  return [...body.matchAll(/^\s+([A-Z][A-Z0-9_]*)\s*:/gm)].map((m) => m[1]!);
}

/** `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?msg}`: what Compose interpolates. */
const interpolation = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/g;

/** Interpolates as `docker compose` does with an empty environment; throws on `${X}` without a default. */
function interpolate(text: string): string {
  return text.replace(interpolation, (whole, name: string, op?: string, value?: string) => {
    if (op === ':-' || op === '-') return value ?? '';
    throw new Error(`${whole}: ${name} has no default, so the file needs an .env to start`);
  });
}

function stages(instructions: Instruction[]): Instruction[][] {
  const out: Instruction[][] = [];
  for (const i of instructions) {
    if (i.getKeyword() === 'FROM') out.push([]);
    out.at(-1)?.push(i);
  }
  return out;
}

const args = (i: Instruction) => i.getArgumentsContent() ?? '';

// --- docker-compose.yml -------------------------------------------------------------------

describe('docker-compose.yml', () => {
  const text = read('docker-compose.yml');
  const compose = parseYaml(text) as Compose;
  const resolved = parseYaml(interpolate(text)) as Compose;
  const validate = composeValidator();

  it('is valid under the Compose Specification schema, before and after interpolation', () => {
    expect(schemaErrors(validate, compose)).toEqual([]);
    expect(schemaErrors(validate, resolved)).toEqual([]);
  });

  it('the schema check rejects broken files (typo in a key, bad depends_on condition, wrong type)', () => {
    const broken = structuredClone(compose);
    const app = broken.services.app as Omit<Service, 'ports'> & {
      enviroment?: unknown;
      ports?: unknown[];
    };
    app.enviroment = app.environment;
    app.depends_on = { postgres: { condition: 'service_ready' } };
    app.healthcheck = { test: ['CMD', 'true'], interval: 10 } as unknown as Service['healthcheck'];
    const errors = schemaErrors(validate, broken);
    expect(errors.some((e) => e.includes('additional properties'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/services/app/depends_on/postgres/condition'))).toBe(
      true,
    );
    expect(errors.some((e) => e.startsWith('/services/app/healthcheck/interval'))).toBe(true);
  });

  it('passes dclint (no unpinned images, no build+image, ports bound to an explicit interface)', () => {
    expect(dclintErrors(path.join(root, 'docker-compose.yml'))).toEqual([]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'samkons-dclint-'));
    try {
      const bad = path.join(dir, 'docker-compose.yml');
      writeFileSync(bad, "services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n");
      const errors = dclintErrors(bad);
      expect(errors.some((e) => e.startsWith('service-image-require-explicit-tag'))).toBe(true);
      expect(errors.some((e) => e.startsWith('no-unbound-port-interfaces'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every variable has a default, so `docker compose up` works without an .env file', () => {
    expect(() => interpolate(text)).not.toThrow();
    expect(() => interpolate('x: ${NEEDS_A_VALUE}')).toThrow(/NEEDS_A_VALUE has no default/);
    // A `$` that is not an interpolation must be escaped as `$$`.
    expect(text.replace(interpolation, '').replace(/\$\$/g, '')).not.toContain('$');
  });

  it('runs the app built from infra/Dockerfile with PostgreSQL 15, Redis 7 and coturn', () => {
    const { app, postgres, redis, coturn } = resolved.services;
    expect(app?.build).toMatchObject({ context: '.', dockerfile: 'infra/Dockerfile' });
    expect(postgres?.image).toBe('postgres:15');
    expect(redis?.image).toBe('redis:7');
    expect(coturn?.image).toMatch(/^coturn\/coturn:\d+\.\d+/);
    expect(app?.environment).toMatchObject({
      DATABASE_URL: 'postgres://samkons:samkons-dev@postgres:5432/samkons',
      REDIS_URL: 'redis://redis:6379',
    });
    for (const key of ['MEDIASOUP_ANNOUNCED_IP', 'TURN_URLS', 'TURN_SECRET']) {
      expect(app?.environment, key).toHaveProperty(key);
    }
  });

  it('waits for healthy dependencies, and each awaited dependency has a healthcheck', () => {
    const { services } = resolved;
    const healthy = Object.entries(services.app?.depends_on ?? {}).filter(
      ([, d]) => d.condition === 'service_healthy',
    );
    expect(healthy.map(([name]) => name).sort()).toEqual(['postgres', 'redis']);
    for (const [name] of healthy) expect(services[name]?.healthcheck, name).toBeDefined();
    expect(JSON.stringify(services.app?.healthcheck)).toContain('/api/health');
  });

  it('declares every named volume it mounts, and the bind-mounted files exist', () => {
    const declared = Object.keys(resolved.volumes ?? {});
    expect(declared.length).toBeGreaterThan(0);
    for (const service of Object.values(resolved.services)) {
      for (const mount of service.volumes ?? []) {
        const source = mount.split(':')[0]!;
        if (source.startsWith('.') || source.startsWith('/'))
          expect(existsSync(path.join(root, source)), source).toBe(true);
        else expect(declared, source).toContain(source);
      }
    }
  });

  it('passes the app only environment variables that server/src/config.ts knows', () => {
    const known = configEnvKeys();
    // The parse found the schema, not an empty or partial list.
    expect(known).toEqual(
      expect.arrayContaining(['PORT', 'DATABASE_URL', 'REDIS_URL', 'TURN_SECRET', 'CLIENT_DIST']),
    );
    const unknown = (env: Record<string, unknown>) =>
      Object.keys(env).filter((k) => !known.includes(k));
    expect(unknown(compose.services.app?.environment ?? {})).toEqual([]);
    expect(unknown({ DATABSE_URL: 'x', PORT: '1' })).toEqual(['DATABSE_URL']);
  });

  it('publishes one WebRtcServer port (UDP and TCP) per mediasoup worker, mapped to itself', () => {
    const app = resolved.services.app!;
    const workers = Number(app.environment?.MEDIASOUP_NUM_WORKERS);
    const first = Number(app.environment?.MEDIASOUP_RTC_PORT ?? 40000);
    const range = `${first}-${first + workers - 1}`;
    expect(app.ports).toEqual(
      expect.arrayContaining([`0.0.0.0:${range}:${range}/udp`, `0.0.0.0:${range}:${range}/tcp`]),
    );
  });

  it('gives coturn the same TURN secret as the app, and publishes its relay range', () => {
    const { app, coturn } = resolved.services;
    const flag = (name: string) =>
      coturn?.command?.find((c) => c.startsWith(`--${name}=`))?.split('=')[1];
    expect(flag('static-auth-secret')).toBe(app?.environment?.TURN_SECRET);
    expect(flag('allowed-peer-ip')).toBe(app?.environment?.MEDIASOUP_ANNOUNCED_IP);
    // The raw file: both take the secret from the one TURN_SECRET variable.
    expect(text.match(/\$\{TURN_SECRET[:}]/g)?.length).toBe(2);

    const conf = read('infra/coturn/turnserver.conf');
    const setting = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(conf)?.[1];
    const relay = `${setting('min-port')}-${setting('max-port')}`;
    const listen = setting('listening-port');
    expect(coturn?.ports).toEqual(
      expect.arrayContaining([`0.0.0.0:${relay}:${relay}/udp`, `0.0.0.0:${listen}:${listen}/udp`]),
    );
    expect(app?.environment?.TURN_URLS).toContain(`:${setting('listening-port')}?transport=udp`);
  });
});

// --- infra/coturn/turnserver.conf --------------------------------------------------------

describe('infra/coturn/turnserver.conf', () => {
  const lines = read('infra/coturn/turnserver.conf')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('uses shared-secret credentials, a realm, fingerprints, no CLI and no secret in the file', () => {
    for (const flag of ['use-auth-secret', 'fingerprint', 'no-cli', 'no-multicast-peers'])
      expect(lines).toContain(flag);
    expect(lines.some((l) => /^realm=\S+/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('static-auth-secret'))).toBe(false);
  });

  it('denies relaying to private, loopback and link-local ranges', () => {
    for (const range of [
      '10.0.0.0',
      '172.16.0.0',
      '192.168.0.0',
      '127.0.0.0',
      '169.254.0.0',
      'fc00::',
      'fe80::',
      '::1',
    ]) {
      expect(
        lines.some((l) => l.startsWith(`denied-peer-ip=${range}`)),
        range,
      ).toBe(true);
    }
    expect(lines.filter((l) => l.startsWith('allowed-peer-ip'))).toEqual([]);
  });

  it('has only known option names (no typos that coturn would reject at start)', () => {
    const known = new Set([
      'listening-port',
      'min-port',
      'max-port',
      'use-auth-secret',
      'realm',
      'fingerprint',
      'no-software-attribute',
      'stale-nonce',
      'no-multicast-peers',
      'denied-peer-ip',
      'no-tcp-relay',
      'user-quota',
      'total-quota',
      'no-cli',
      'log-file',
      'simple-log',
      'no-tls',
      'no-dtls',
    ]);
    expect(lines.map((l) => l.split('=')[0]!).filter((name) => !known.has(name))).toEqual([]);
  });
});

// --- infra/Dockerfile --------------------------------------------------------------------

describe('infra/Dockerfile', () => {
  const content = read('infra/Dockerfile');
  const dockerfile = DockerfileParser.parse(content);
  const [build, runtime] = stages(dockerfile.getInstructions());
  const strict = {
    deprecatedMaintainer: ValidationSeverity.ERROR,
    directiveCasing: ValidationSeverity.ERROR,
    emptyContinuationLine: ValidationSeverity.ERROR,
    instructionCasing: ValidationSeverity.ERROR,
    instructionCmdMultiple: ValidationSeverity.ERROR,
    instructionEntrypointMultiple: ValidationSeverity.ERROR,
    instructionHealthcheckMultiple: ValidationSeverity.ERROR,
    instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
    instructionWorkdirRelative: ValidationSeverity.ERROR,
  };

  it('has no problem the Dockerfile validator reports, even with every check set to error', () => {
    const problems = validateDockerfile(content, strict).map(
      (d) => `line ${d.range.start.line + 1}: ${d.message}`,
    );
    expect(problems).toEqual([]);
  });

  it('the validator rejects broken instructions', () => {
    const broken =
      'FROM node:20-bookworm-slim\nRUNN echo hi\nEXPOSE http\nHEALTHCHECK --interval=soon CMD true\nUSER\n';
    const problems = validateDockerfile(broken, strict);
    expect(problems.map((d) => d.range.start.line + 1)).toEqual(
      expect.arrayContaining([2, 3, 4, 5]),
    );
  });

  it('builds in two stages from a pinned node 20 bookworm-slim base', () => {
    expect(stages(dockerfile.getInstructions())).toHaveLength(2);
    for (const from of dockerfile.getFROMs()) {
      expect(from.getImageName()).toBe('node');
      // Pinned: a major.minor tag (or a digest), never `latest` or a bare major.
      expect(`${from.getImageTag() ?? ''}@${from.getImageDigest() ?? ''}`).toMatch(
        /^20\.\d+(\.\d+)?-bookworm-slim@|@sha256:/,
      );
    }
  });

  it('builds the worker with the same infra/build-mediasoup-worker.sh before npm ci', () => {
    const keywords = build!.map((i) => `${i.getKeyword()} ${args(i)}`);
    const at = (re: RegExp) => keywords.findIndex((k) => re.test(k));
    expect(at(/^COPY infra\/build-mediasoup-worker\.sh /)).toBeGreaterThan(0);
    expect(at(/^ENV SAMKONS_CACHE_DIR=/)).toBeGreaterThan(0);
    const script = at(/^RUN .*bash infra\/build-mediasoup-worker\.sh/);
    const workerBin = at(/^ENV MEDIASOUP_WORKER_BIN=/);
    const npmCi = at(/^RUN npm ci\b/);
    expect(script).toBeGreaterThan(0);
    expect(workerBin).toBeGreaterThan(script);
    expect(npmCi).toBeGreaterThan(workerBin);
    expect(at(/^RUN npm run build\b/)).toBeGreaterThan(npmCi);
  });

  it('runtime: only the worker libraries, the worker linked where mediasoup looks, non-root, health on /api/health', () => {
    const text = runtime!.map((i) => `${i.getKeyword()} ${args(i)}`);
    const apt = text.find((t) => t.includes('apt-get install')) ?? '';
    for (const lib of ['libssl3', 'libuv1', 'libsrtp2-1', 'libusrsctp2', 'libabsl20220623'])
      expect(apt).toContain(lib);
    expect(apt).not.toMatch(/-dev\b|\bg\+\+|\bmeson\b/);
    expect(
      text.some((t) =>
        t.includes(
          'ln -sf /opt/mediasoup/mediasoup-worker node_modules/mediasoup/worker/out/Release/mediasoup-worker',
        ),
      ),
    ).toBe(true);

    const users = runtime!.filter((i) => i.getKeyword() === 'USER').map(args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);

    const health = runtime!.filter((i) => i.getKeyword() === 'HEALTHCHECK').map(args);
    expect(health).toHaveLength(1);
    expect(health[0]).toContain('/api/health');

    const exposed = runtime!
      .filter((i) => i.getKeyword() === 'EXPOSE')
      .flatMap((i) => i.getArguments().map((a) => a.getValue()));
    expect(exposed).toEqual(
      expect.arrayContaining(['3000/tcp', '40000-40003/udp', '40000-40003/tcp']),
    );
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    expect(ignored).toEqual(
      expect.arrayContaining(['**/node_modules', '**/dist', '**/*.tsbuildinfo', '.git']),
    );
    const copies = dockerfile.getCOPYs().filter((c) => !c.getFromFlag());
    expect(copies.length).toBeGreaterThan(5);
    for (const copy of copies) {
      const sources = copy
        .getArguments()
        .slice(0, -1)
        .map((a) => a.getValue());
      for (const source of sources) {
        expect(existsSync(path.join(root, source)), source).toBe(true);
        expect(
          ignored.some((pattern) => source.replace(/\/$/, '') === pattern),
          source,
        ).toBe(false);
      }
    }
  });
});

// --- README.md ----------------------------------------------------------------------------

describe('README.md', () => {
  const readme = read('README.md');

  it('opens with a title, then the two commands in a code block', () => {
    const lines = readme.split('\n');
    expect(lines[0]).toMatch(/^# \S/);
    const block = /```[a-z]*\n([\s\S]*?)```/.exec(readme);
    expect(block?.index).toBeLessThan(600);
    const commands = block![1]!.split('\n').map((l) => l.trim());
    expect(commands).toContain('bash infra/setup.sh && npm start');
    expect(commands).toContain('bash infra/setup.sh --test && npm test');
    // CI runs exactly the README's test command.
    expect(read('.ci/run')).toContain('bash infra/setup.sh --test && npm test');
  });

  it('documents every environment variable of server/src/config.ts', () => {
    const missing = configEnvKeys().filter((key) => !readme.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });
});

// --- docker compose itself, where it exists -----------------------------------------------

describe('docker compose config', () => {
  const hasCompose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;

  it(`accepts docker-compose.yml (${hasCompose ? 'docker compose present' : 'no docker compose here: schema check only'})`, () => {
    if (!hasCompose) return;
    const result = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
