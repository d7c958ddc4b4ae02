/** The "Running" section: live jobs with state, ticking elapsed time, estimated progress. */
import type { JobView } from '../protocol';
import type { ViewContext } from './context';
import { h, icon, reconcileKeyed, textButton, uid } from './dom';
import { formatElapsed } from '../../core/format';
import { shortModel } from './format';
import { elapsedMs, isActive, isProblem, progressFraction, type JobState } from './jobTiming';

interface JobEntry {
  job: JobView;
  signature: string;
  element: HTMLLIElement;
  elapsed: HTMLSpanElement;
  bar?: HTMLDivElement;
  fill?: HTMLDivElement;
}

const STATE_ICON: Record<JobState, string> = {
  queued: 'loading',
  pending: 'loading',
  submitted: 'loading',
  in_progress: 'loading',
  downloading: 'loading',
  success: 'check',
  failed: 'error',
  cancelled: 'circle-slash',
  'timed-out': 'clock',
};

export class JobsSection {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly count: HTMLSpanElement;
  private readonly entries = new Map<string, JobEntry>();
  private timer: number | undefined;

  constructor(private readonly ctx: ViewContext) {
    const headingId = uid('running');
    this.count = h('span', { class: 'count', attrs: { 'aria-hidden': 'true' } });
    this.list = h('ul', { class: 'jobs', attrs: { role: 'list' } });
    this.element = h(
      'section',
      { class: 'section running', attrs: { 'aria-labelledby': headingId, 'data-testid': 'running', hidden: true } },
      h('h2', { attrs: { id: headingId } }, h('span', { text: ctx.strings.running }), this.count),
      this.list,
    );
  }

  update(jobs: readonly JobView[]): void {
    reconcileKeyed(this.list, this.entries, jobs, (job, signature) => this.build(job, signature), replaceKeepingFocus);
    this.element.hidden = jobs.length === 0;
    this.count.textContent = jobs.length ? String(jobs.length) : '';
    this.tick(Date.now());
    this.schedule();
  }

  dispose(): void {
    window.clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs a one-second clock only while some job is active. */
  private schedule(): void {
    const anyActive = [...this.entries.values()].some((e) => isActive(e.job.state));
    if (anyActive && this.timer === undefined) this.timer = window.setInterval(() => this.tick(Date.now()), 1000);
    if (!anyActive) this.dispose();
  }

  private tick(now: number): void {
    for (const entry of this.entries.values()) {
      entry.elapsed.textContent = formatElapsed(elapsedMs(entry.job, now));
      if (entry.fill && entry.bar) {
        const f = progressFraction(entry.job, now);
        if (f !== undefined) {
          entry.fill.style.width = `${(f * 100).toFixed(1)}%`;
          entry.bar.setAttribute('aria-valuenow', String(Math.round(f * 100)));
        }
      }
    }
  }

  private build(job: JobView, signature: string): JobEntry {
    const active = isActive(job.state);
    const stateWord = this.ctx.strings.states[job.state] ?? job.state;
    const elapsed = h('span', { class: 'job-elapsed', attrs: { 'data-testid': 'job-elapsed' } });
    const promptId = uid('job');
    const progress = active || job.state === 'success' ? progressBar(job, stateWord) : undefined;
    const buttons = this.buttons(job, active);
    const element = h(
      'li',
      {
        class: `job state-${job.state}`,
        attrs: { 'data-testid': 'job', 'data-id': job.id, 'data-state': job.state, tabindex: -1 },
      },
      icon(STATE_ICON[job.state] ?? 'circle-outline', `job-icon${active ? ' codicon-modifier-spin' : ''}`),
      h(
        'div',
        { class: 'job-main' },
        h('p', { class: 'job-prompt', text: job.prompt, attrs: { id: promptId, title: job.prompt } }),
        jobMeta(job, stateWord, elapsed),
        progress?.bar,
        isProblem(job.state) && job.error ? h('p', { class: 'job-error', text: job.error, attrs: { 'data-testid': 'job-error' } }) : null,
      ),
      buttons.childElementCount ? buttons : null,
    );
    return { job, signature, element, elapsed, bar: progress?.bar, fill: progress?.fill };
  }

  /** Cancel for a running job, Resume for a resumable one. */
  private buttons(job: JobView, active: boolean): HTMLDivElement {
    const s = this.ctx.strings;
    const buttons = h('div', { class: 'job-actions' });
    if (active) {
      const cancel = textButton({ icon: 'close', label: s.cancel, action: 'cancel' });
      cancel.addEventListener('click', () => this.ctx.runJobAction('cancelJob', job.id));
      buttons.append(cancel);
    }
    if (job.resumable) {
      const resume = textButton({ icon: 'debug-continue', label: s.resume, action: 'resume' });
      resume.addEventListener('click', () => this.ctx.runJobAction('resumeJob', job.id));
      buttons.append(resume);
    }
    return buttons;
  }
}

/** "state · 0:12 · model · 16:9 · 2K" under the prompt. */
function jobMeta(job: JobView, stateWord: string, elapsed: HTMLSpanElement): HTMLParagraphElement {
  const sep = () => h('span', { class: 'sep', text: '·', attrs: { 'aria-hidden': 'true' } });
  const meta = h(
    'p',
    { class: 'job-meta' },
    h('span', { class: 'job-state', text: stateWord }),
    sep(),
    elapsed,
    sep(),
    h('span', { class: 'job-model', text: shortModel(job.model), attrs: { title: job.model } }),
  );
  for (const extra of [job.aspectRatio, job.imageSize]) {
    if (extra && extra !== 'auto') meta.append(sep(), h('span', { text: extra }));
  }
  return meta;
}

/** A progress bar, determinate when the job's duration can be estimated. */
function progressBar(job: JobView, stateWord: string): { bar: HTMLDivElement; fill: HTMLDivElement } {
  const fill = h('div', { class: 'progress-fill' });
  const estimated = progressFraction(job, Date.now()) !== undefined;
  const bar = h(
    'div',
    {
      class: `progress${estimated ? '' : ' indeterminate'}`,
      attrs: { role: 'progressbar', 'aria-label': stateWord, 'aria-valuemin': estimated ? 0 : undefined, 'aria-valuemax': estimated ? 100 : undefined },
    },
    fill,
  );
  return { bar, fill };
}

/** Swaps an element for its rebuilt version, keeping keyboard focus on the same control. */
export function replaceKeepingFocus(old: HTMLElement, fresh: HTMLElement): void {
  const focused = document.activeElement;
  const hadFocus = focused instanceof HTMLElement && old.contains(focused);
  const action = hadFocus ? focused.getAttribute('data-action') : null;
  old.replaceWith(fresh);
  if (!hadFocus) return;
  const target = (action && fresh.querySelector<HTMLElement>(`[data-action="${CSS.escape(action)}"]`)) || fresh;
  target.focus();
}
