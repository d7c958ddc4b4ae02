/**
 * Runs the Nano Banana 2 API simulator from the command line:
 *
 *   node out/test/simulator/cli.js [--port N] [--host 127.0.0.1] [--key dk-...] [--any-key]
 *                                  [--duration MS] [--credit N] [--quiet]
 *
 * Prints `Nano Banana simulator listening on http://HOST:PORT  (key: ...)` as its first line,
 * then the prompt directives, then one line per request (keys masked). Stops on SIGINT/SIGTERM.
 * Bad flags: a message on stderr and exit code 2.
 */
import { DEFAULT_API_KEY, DEFAULT_CREDIT, DEFAULT_DURATION_MS, DIRECTIVES, startSimulator, type Simulator, type SimulatorOptions } from './server';

export const USAGE = `usage: node out/test/simulator/cli.js [options]
  --port N        port to listen on (default 0: a random free port)
  --host H        interface to bind (default 127.0.0.1)
  --key K         the accepted API key (default ${DEFAULT_API_KEY})
  --any-key       accept any non-empty Bearer token (demo mode)
  --duration MS   time from submit to the final state (default ${DEFAULT_DURATION_MS})
  --credit N      starting credit (default ${DEFAULT_CREDIT}; each image costs 0.5)
  --quiet         do not log requests
  --help          show this help`;

export interface CliOptions {
  sim: SimulatorOptions;
  quiet: boolean;
  help: boolean;
}

export class UsageError extends Error {}

/** One option of the command line: its name, and readers for its value (`--name=value` or `--name value`). */
interface Arg {
  arg: string;
  name: string;
  takeValue(): string;
  noValue(): void;
  integer(min: number, max: number): number;
}

/** Takes the next option off `args` (and its value, when a reader asks for one). */
function nextArg(args: string[]): Arg {
  const arg = args.shift() as string;
  let name = arg;
  let value: string | undefined;
  const eq = arg.indexOf('=');
  if (arg.startsWith('--') && eq > 2) {
    name = arg.slice(0, eq);
    value = arg.slice(eq + 1);
  }
  const takeValue = (): string => {
    if (value !== undefined) return value;
    const next = args.shift();
    if (next === undefined || next.startsWith('--')) throw new UsageError(`${name} needs a value`);
    return next;
  };
  return {
    arg,
    name,
    takeValue,
    noValue: () => {
      if (value !== undefined) throw new UsageError(`${name} takes no value`);
    },
    integer: (min, max) => {
      const v = takeValue();
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${v}"`);
      return Number(v);
    },
  };
}

function applyOption(out: CliOptions, a: Arg): void {
  switch (a.name) {
    case '--port':
      out.sim.port = a.integer(0, 65535);
      break;
    case '--host': {
      const v = a.takeValue();
      if (!v.trim()) throw new UsageError('--host must not be empty');
      out.sim.host = v;
      break;
    }
    case '--key': {
      const v = a.takeValue();
      if (!v.trim() || /\s/.test(v)) throw new UsageError('--key must be a non-empty token without spaces');
      out.sim.apiKey = v;
      break;
    }
    case '--any-key':
      a.noValue();
      out.sim.anyKey = true;
      break;
    case '--duration':
      out.sim.durationMs = a.integer(0, 24 * 3600 * 1000);
      break;
    case '--credit': {
      const v = a.takeValue();
      if (!/^\d+(\.\d+)?$/.test(v)) throw new UsageError(`--credit must be a non-negative number, got "${v}"`);
      out.sim.credit = Number(v);
      break;
    }
    case '--quiet':
      a.noValue();
      out.quiet = true;
      break;
    case '--help':
    case '-h':
      a.noValue();
      out.help = true;
      break;
    default:
      throw new UsageError(`unknown option "${a.arg}"`);
  }
}

/** Parses argv (without node and script); throws UsageError on anything it does not understand. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const out: CliOptions = { sim: {}, quiet: false, help: false };
  const args = [...argv];
  while (args.length) applyOption(out, nextArg(args));
  return out;
}

async function main(): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`simulator: ${err.message}\n${USAGE}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n\nprompt directives:\n${DIRECTIVES.map((d) => `  ${d}`).join('\n')}\n`);
    return;
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  // Signal handlers go in first, so a signal that arrives while starting still stops cleanly.
  let sim: Simulator | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!sim) process.exit(0);
    print(`simulator stopping (${signal})`);
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  sim = await startSimulator({ ...opts.sim, log: opts.quiet ? undefined : (line) => print(`${new Date().toISOString()} ${line}`) });
  if (stopping) {
    await sim.close();
    process.exit(0);
  }
  // One write, so readers see the URL line and the help together.
  process.stdout.write(
    [
      `Nano Banana simulator listening on ${sim.url}  (${opts.sim.anyKey ? 'any key accepted' : `key: ${sim.apiKey}`})`,
      'prompt directives (put them anywhere in a prompt):',
      ...DIRECTIVES.map((d) => `  ${d}`),
      'stop with Ctrl+C',
      '',
    ].join('\n'),
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`simulator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
