/**
 * The result links of one task, as a delivery uses them. Result hosts may let links expire: a 403,
 * 404 or 410 that is not a bot filter's refusal is answered by asking the API for the task once
 * more and fetching from the fresh links. Once per delivery: if a fresh link fails the same way, or
 * another link expires later, the delivery fails (the job keeps its task id and can be resumed).
 */
import { NanoError, isNanoError } from '../errors';
import { linkMayHaveExpired } from './answers';
import type { FetchedImage } from './result';

export interface ResultLinksOptions {
  /** Queries the task again and returns its image links (`api.query(taskId)`); none: no second try. */
  requery?: () => Promise<string[]>;
  log?: (line: string) => void;
  /** Names the task in log lines, e.g. "job j1 (task ta…)". */
  label: string;
}

export class ResultLinks {
  private urls: readonly string[];
  private requeried = false;

  constructor(
    urls: readonly string[],
    private readonly opts: ResultLinksOptions,
  ) {
    this.urls = urls;
  }

  /** Fetches image `i` with `fetchOne`, refreshing the links once if it has expired. */
  async fetch<T = FetchedImage>(i: number, fetchOne: (url: string) => Promise<T>): Promise<T> {
    try {
      return await fetchOne(this.urls[i]);
    } catch (e) {
      if (!linkMayHaveExpired(e)) throw e;
      if (!this.opts.requery || this.requeried) throw this.requeried ? expiredAgain(e as NanoError) : e;
      await this.refresh(i, e as NanoError);
    }
    try {
      return await fetchOne(this.urls[i]);
    } catch (e) {
      throw linkMayHaveExpired(e) ? expiredAgain(e as NanoError) : e;
    }
  }

  private async refresh(i: number, cause: NanoError): Promise<void> {
    this.requeried = true;
    this.opts.log?.(`${this.opts.label}: image ${i + 1}: ${cause.message} Asking the API for fresh links, once.`);
    const fresh = await this.opts.requery!();
    if (!fresh[i]) {
      throw new NanoError({
        kind: 'image',
        message: `${withoutStop(cause.message)}, and the API, asked again, listed no image ${i + 1}.`,
        retryable: false,
        status: cause.status,
      });
    }
    this.urls = fresh;
  }
}

function withoutStop(sentence: string): string {
  return sentence.replace(/\.\s*$/, '');
}

/** After the one re-query, every link is fresh: say that a fresh link failed too. */
function expiredAgain(e: NanoError): NanoError {
  if (!isNanoError(e)) return e;
  return new NanoError({ ...e.toJSON(), message: `${withoutStop(e.message)}, even from a fresh link the API gave when asked again.` });
}
