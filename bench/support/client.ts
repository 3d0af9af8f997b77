import http from 'node:http';
import https from 'node:https';

/** One POST of a benchmark's client: where, what, and the ids its effects are counted by. */
export interface Shot {
  path: string;
  /** Besides content-type (application/json) and content-length. */
  headers: Record<string, string>;
  body: Buffer;
  keys: string[];
}

export interface Post {
  keys: string[];
  scheduledAt: bigint;
  sentAt: bigint;
  doneAt?: bigint;
  status?: number;
  error?: string;
  /** The first bytes of a non-2xx answer, to say why. */
  answer?: string;
}

export interface RunResult {
  posts: Post[];
  startedAt: bigint;
  windowEnd: bigint;
  /** POSTs that fell due while --max-in-flight requests were outstanding, so went out late. */
  heldByCap: number;
}

export type RunMode = { kind: 'rate'; postsPerSecond: number } | { kind: 'max' };

const ANSWER_BYTES = 300;

/**
 * The load generator: open loop at a rate (sends are scheduled on a timer, never wait for answers,
 * and are capped at `maxInFlight`), or max rate (closed loop: `maxInFlight` requests outstanding for
 * `seconds`). Resolves once the window is over and every request is answered. All times come from
 * `process.hrtime.bigint()` (CLOCK_MONOTONIC, shared by the processes on this machine).
 * With `https`, requests go over TLS through that agent, which the caller owns (and keeps across runs:
 * which connections it holds decides which replica behind a balancer gets each request).
 */
export function drive(port: number, mode: RunMode, seconds: number, maxInFlight: number, next: () => Shot, transport: { https?: https.Agent } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const agent = transport.https ?? new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
    const request = transport.https ? https.request : http.request;
    const posts: Post[] = [];
    const startedAt = process.hrtime.bigint();
    const windowEnd = startedAt + BigInt(Math.round(seconds * 1e9));
    const total = mode.kind === 'rate' ? Math.max(1, Math.round(mode.postsPerSecond * seconds)) : Infinity;
    const intervalNs = mode.kind === 'rate' ? 1e9 / mode.postsPerSecond : 0;
    let inFlight = 0;
    let scheduled = 0;
    let heldByCap = 0;
    let timer: NodeJS.Timeout | undefined;
    let finished = false;

    const finish = () => {
      if (finished || inFlight > 0) return;
      const done = mode.kind === 'rate' ? scheduled >= total : process.hrtime.bigint() >= windowEnd;
      if (!done) return;
      finished = true;
      if (!transport.https) agent.destroy();
      resolve({ posts, startedAt, windowEnd, heldByCap });
    };
    const send = (scheduledAt: bigint) => {
      const shot = next();
      const post: Post = { keys: shot.keys, scheduledAt, sentAt: process.hrtime.bigint() };
      posts.push(post);
      inFlight += 1;
      const settle = (status: number | undefined, error?: string) => {
        if (post.doneAt !== undefined) return;
        post.doneAt = process.hrtime.bigint();
        post.status = status;
        if (error) post.error = error;
        inFlight -= 1;
        pump(true);
        finish();
      };
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: shot.path,
          agent,
          headers: { 'content-type': 'application/json', 'content-length': shot.body.length, ...shot.headers },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) res.resume();
          else {
            let answer = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              if (answer.length < ANSWER_BYTES) answer += chunk.slice(0, ANSWER_BYTES - answer.length);
            });
            res.on('end', () => (post.answer = answer));
          }
          res.on('end', () => settle(res.statusCode));
          res.on('error', (err) => settle(undefined, err.message));
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('client timeout (30 s)')));
      req.on('error', (err: NodeJS.ErrnoException) => settle(undefined, err.code ?? err.message));
      req.end(shot.body);
    };
    const pump = (byCompletion = false) => {
      if (finished) return;
      const now = process.hrtime.bigint();
      if (mode.kind === 'max') {
        while (inFlight < maxInFlight && process.hrtime.bigint() < windowEnd) send(process.hrtime.bigint());
        return;
      }
      const due = Math.min(total, Math.floor(Number(now - startedAt) / intervalNs) + 1);
      while (scheduled < due && inFlight < maxInFlight) {
        const scheduledAt = startedAt + BigInt(Math.round(scheduled * intervalNs));
        scheduled += 1;
        // On schedule, the timer sends; a send left to a completion was held back by the cap.
        if (byCompletion) heldByCap += 1;
        send(scheduledAt);
      }
      if (scheduled < due) return; // held by the cap: the next completion pumps again
      if (scheduled < total && !timer) {
        const nextAt = startedAt + BigInt(Math.round(scheduled * intervalNs));
        timer = setTimeout(() => {
          timer = undefined;
          pump();
        }, Math.max(0, Number(nextAt - process.hrtime.bigint()) / 1e6));
      }
    };
    pump();
    if (mode.kind === 'max') setTimeout(finish, seconds * 1000 + 1).unref();
  });
}

/** The status of a GET, for readiness checks; rejects when nothing answers. */
export function httpStatus(port: number, pathname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(2_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => reject(err));
  });
}
