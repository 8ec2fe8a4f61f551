import { isIP } from 'node:net';
import os from 'node:os';
import { z } from 'zod';
import { AssuranceLevel } from '@samkons/shared';

/** mediasoup 3.12's worker log tags (types.WorkerLogTag). */
const WorkerLogTag = z.enum([
  'info',
  'ice',
  'dtls',
  'rtp',
  'srtp',
  'rtcp',
  'rtx',
  'bwe',
  'score',
  'simulcast',
  'svc',
  'sctp',
  'message',
]);

/**
 * Every setting comes from the environment with a default that runs the embedded mode
 * (PGlite, one node, no Redis). The README lists each variable.
 */
const Env = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json` lines, `pretty` (readable), or `auto`: pretty at a terminal outside production. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /**
   * SIGTERM: how long open sessions may go on (no new ones start) before the node closes;
   * clients then reconnect and re-enter by themselves. Keep it below the orchestrator's kill
   * timeout (docker compose `stop_grace_period`).
   */
  SHUTDOWN_DRAIN_SECONDS: z.coerce.number().min(0).max(3600).default(20),

  // Media (mediasoup)
  MEDIASOUP_NUM_WORKERS: z.coerce.number().int().min(1).max(64).default(os.cpus().length),
  MEDIASOUP_LISTEN_IP: z.string().default('0.0.0.0'),
  /** The address browsers reach the SFU on; defaults to 127.0.0.1 for a single machine. */
  MEDIASOUP_ANNOUNCED_IP: z.string().optional(),
  /** WebRtcServer port per worker: worker i listens on RTC_PORT + i (UDP and TCP). */
  MEDIASOUP_RTC_PORT: z.coerce.number().int().min(0).max(65535).default(40000),
  MEDIASOUP_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  /**
   * Worker log tags, comma-separated; none by default. Each enabled tag streams the
   * worker's messages of that kind through its channel to Node (RTCP warnings alone are
   * about 110 a second under load), so turn them on only to diagnose.
   */
  MEDIASOUP_LOG_TAGS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .pipe(z.array(WorkerLogTag)),
  /** Development signalling: join any room by name with full media grants (no token). */
  SIGNALLING_DEV_ROOMS: z.enum(['true', 'false']).default('false'),
  TURN_URLS: z.string().optional(),
  TURN_SECRET: z.string().min(16).optional(),
  /** Lifetime of the TURN credentials handed to a participant. */
  TURN_CREDENTIAL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(4 * 3600),

  // Persistence
  /** When set, PostgreSQL through `pg`; otherwise embedded PGlite. */
  DATABASE_URL: z.string().optional(),
  /** PGlite data directory; `memory://` keeps everything in memory. */
  PGLITE_DATA_DIR: z.string().default('./data/pglite'),
  /**
   * PGlite's shared buffer pool (PostgreSQL units, e.g. `16MB`; default in db/pglite-driver.ts):
   * resident memory, all of it. More only helps a database that outgrows it.
   */
  PGLITE_SHARED_BUFFERS: z
    .string()
    .regex(/^\d+(kB|MB|GB)$/, 'a size such as 16MB')
    .optional(),
  /** Several nodes: domain events, socket.io and the session directory go through Redis. */
  REDIS_URL: z.string().optional(),
  /** Prefix of every Redis key and channel, so deployments (or test runs) can share one Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).default('samkons:'),
  /**
   * Comma-separated origins whose pages may open socket.io on this node (CORS), e.g. the
   * app's origin when a `wrong_node` redirect sends its socket here; default PUBLIC_URL's.
   */
  CLUSTER_ALLOWED_ORIGINS: z.string().optional(),

  // Identity
  JWT_SECRET: z.string().min(32).optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 3600),
  INVITE_OPENS_MINUTES_BEFORE: z.coerce.number().int().min(0).default(60),
  /** A booked consultation's reminder goes out once it starts within this many hours. */
  REMINDER_HOURS_BEFORE: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  /** How often each node looks for due reminders. */
  REMINDER_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** The phone number printed in every message to participants, for questions and changes. */
  CONTACT_PHONE: z
    .string()
    .regex(/^\+?[0-9][0-9 ]{3,19}$/, 'digits and spaces, optionally a leading +')
    .optional(),
  /** The language of messages to participants: nn (default), nb or en. */
  NOTIFICATION_LANGUAGE: z.enum(['nn', 'nb', 'en']).default('nn'),
  /**
   * A consultation left "in progress" with nobody in its live session for this many minutes
   * (everyone left without "end for all") is closed, audited and counted as completed.
   */
  SESSION_IDLE_CLOSE_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(15),
  /**
   * When every connection of a live session drops at once (a network blip, a worker death,
   * ping timeouts under load), the session keeps who was admitted and the agenda position this
   * many seconds for them to come back. A deliberate leave by the last person closes at once.
   */
  SESSION_EMPTY_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(60),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_DISPLAY_NAME: z.string().min(1).max(40).default('HelseID'),
  /** The patient eID (ID-porten): patients and next of kin identify on their invite link. */
  PATIENT_OIDC_ISSUER: z.string().url().optional(),
  PATIENT_OIDC_CLIENT_ID: z.string().optional(),
  PATIENT_OIDC_CLIENT_SECRET: z.string().optional(),
  PATIENT_OIDC_DISPLAY_NAME: z.string().min(1).max(40).default('ID-porten'),
  /** eID logins below this level are refused. */
  PATIENT_OIDC_MIN_ASSURANCE: AssuranceLevel.default('substantial'),
  /** Key for the hash of national identity numbers; needed with PATIENT_OIDC_ISSUER. */
  IDENTITY_HASH_SECRET: z.string().min(32).optional(),
  /** Attempts per credential (account, invite or refresh token) and client address and minute. */
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /** All login-like attempts per client address and minute; default 30 x the above. */
  LOGIN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).optional(),
  /**
   * Comma-separated addresses or CIDR ranges of the reverse proxies in front (or `loopback`,
   * `linklocal`, `uniquelocal`). Only their X-Forwarded-For is believed; unset: none is.
   */
  TRUST_PROXY: z.string().optional(),

  // Operations: /metrics (Prometheus) and /api/health/detail (workers, rooms, peers)
  /** Bearer token for /metrics and /api/health/detail on the public port; unset: not served there. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** A second, internal listener for /metrics and /api/health/detail without a token. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** The internal listener's address: keep it off the public network. */
  METRICS_HOST: z.string().default('127.0.0.1'),

  /** JSON file overriding the shipped travel factors (shared/src/travel/default-factors.ts). */
  SAMKONS_TRAVEL_FACTORS: z.string().optional(),
  /** Comma-separated staff usernames given the reporting grant at start (idempotent). */
  REPORTING_USERNAMES: z.string().default(''),

  /** Seed demo accounts and consultations on an empty database. */
  DEMO_DATA: z.enum(['true', 'false']).default('true'),
  /** Serve the built client from this folder when it exists. */
  CLIENT_DIST: z.string().default('client/dist'),
});

export type Config = ReturnType<typeof loadConfig>;

/** TURN needs both the URLs and the shared secret; one without the other is a mistake. */
function turnSettings(e: z.infer<typeof Env>) {
  if (!e.TURN_URLS && !e.TURN_SECRET) return undefined;
  if (!e.TURN_URLS || !e.TURN_SECRET) {
    throw new Error('Invalid configuration: set both TURN_URLS and TURN_SECRET, or neither');
  }
  return {
    urls: e.TURN_URLS.split(',').map((u) => u.trim()),
    secret: e.TURN_SECRET,
    ttlSeconds: e.TURN_CREDENTIAL_TTL_SECONDS,
  };
}

/**
 * Origins allowed to open socket.io cross-origin: CLUSTER_ALLOWED_ORIGINS, else PUBLIC_URL's
 * origin, else none (same origin only). Each entry must be an http(s) URL; its origin counts.
 */
function allowedOrigins(e: z.infer<typeof Env>): string[] {
  const entries = e.CLUSTER_ALLOWED_ORIGINS
    ? e.CLUSTER_ALLOWED_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean)
    : e.PUBLIC_URL
      ? [e.PUBLIC_URL]
      : [];
  const origins = entries.map((entry) => {
    const url = URL.canParse(entry) ? new URL(entry) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new Error(
        `Invalid configuration: CLUSTER_ALLOWED_ORIGINS entry "${entry}" is not an http(s) URL`,
      );
    }
    return url.origin;
  });
  return [...new Set(origins)];
}

/** The patient eID needs its client id and the hash key; a half-configured one is a mistake. */
function patientOidcSettings(e: z.infer<typeof Env>) {
  if (!e.PATIENT_OIDC_ISSUER) return undefined;
  if (!e.PATIENT_OIDC_CLIENT_ID || !e.IDENTITY_HASH_SECRET) {
    throw new Error(
      'Invalid configuration: PATIENT_OIDC_ISSUER needs PATIENT_OIDC_CLIENT_ID and IDENTITY_HASH_SECRET',
    );
  }
  return {
    issuer: e.PATIENT_OIDC_ISSUER,
    clientId: e.PATIENT_OIDC_CLIENT_ID,
    clientSecret: e.PATIENT_OIDC_CLIENT_SECRET,
    displayName: e.PATIENT_OIDC_DISPLAY_NAME,
    minAssurance: e.PATIENT_OIDC_MIN_ASSURANCE,
    identityHashSecret: e.IDENTITY_HASH_SECRET,
  };
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * The proxies whose X-Forwarded-For Fastify believes. Never `true`: a client could then
 * forge its address past the rate limits and into the audit log.
 */
function trustedProxies(e: z.infer<typeof Env>): string[] | false {
  const entries = (e.TRUST_PROXY ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (entries.length === 0) return false;
  for (const entry of entries) {
    const [addr = '', bits, ...rest] = entry.split('/');
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (!(PROXY_NAMES.has(entry) || (family !== 0 && validBits && rest.length === 0))) {
      throw new Error(
        `Invalid configuration: TRUST_PROXY entry "${entry}" is not an IP address, a CIDR range, loopback, linklocal or uniquelocal`,
      );
    }
  }
  return entries;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    http: { host: e.HOST, port: e.PORT, publicUrl: e.PUBLIC_URL, trustProxy: trustedProxies(e) },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    shutdown: { drainSeconds: e.SHUTDOWN_DRAIN_SECONDS },
    signalling: {
      devRooms: e.SIGNALLING_DEV_ROOMS === 'true',
      /** socket.io CORS: pages of these origins may connect (empty: same origin only). */
      allowedOrigins: allowedOrigins(e),
    },
    media: {
      numWorkers: e.MEDIASOUP_NUM_WORKERS,
      listenIp: e.MEDIASOUP_LISTEN_IP,
      announcedIp: e.MEDIASOUP_ANNOUNCED_IP ?? '127.0.0.1',
      rtcPort: e.MEDIASOUP_RTC_PORT,
      logLevel: e.MEDIASOUP_LOG_LEVEL,
      logTags: e.MEDIASOUP_LOG_TAGS,
      turn: turnSettings(e),
    },
    db: e.DATABASE_URL
      ? ({ driver: 'pg', url: e.DATABASE_URL } as const)
      : ({
          driver: 'pglite',
          dataDir: e.PGLITE_DATA_DIR,
          sharedBuffers: e.PGLITE_SHARED_BUFFERS,
        } as const),
    redis: e.REDIS_URL ? { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX } : undefined,
    auth: {
      /**
       * When unset, generated once and kept with the data (auth/signing-secret.ts); random
       * per process only with an in-memory database.
       */
      jwtSecret: e.JWT_SECRET,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
      inviteOpensMinutesBefore: e.INVITE_OPENS_MINUTES_BEFORE,
      oidc: e.OIDC_ISSUER
        ? {
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            displayName: e.OIDC_DISPLAY_NAME,
          }
        : undefined,
      patientOidc: patientOidcSettings(e),
      loginRateLimitPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
      loginRateLimitPerAddressPerMinute:
        e.LOGIN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE ?? 30 * e.LOGIN_RATE_LIMIT_PER_MINUTE,
    },
    notifications: { contactPhone: e.CONTACT_PHONE, language: e.NOTIFICATION_LANGUAGE },
    reminders: {
      hoursBefore: e.REMINDER_HOURS_BEFORE,
      intervalSeconds: e.REMINDER_INTERVAL_SECONDS,
    },
    sessionIdleCloseMinutes: e.SESSION_IDLE_CLOSE_MINUTES,
    sessionEmptyGraceSeconds: e.SESSION_EMPTY_GRACE_SECONDS,
    reports: {
      travelFactorsFile: e.SAMKONS_TRAVEL_FACTORS,
      reportingUsernames: e.REPORTING_USERNAMES.split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    },
    metrics: {
      token: e.METRICS_TOKEN,
      internal:
        e.METRICS_PORT !== undefined ? { host: e.METRICS_HOST, port: e.METRICS_PORT } : undefined,
    },
    demoData: e.DEMO_DATA === 'true',
    clientDist: e.CLIENT_DIST,
  };
}
