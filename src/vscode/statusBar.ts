import * as vscode from 'vscode';
import { formatElapsed } from '../core/format';
import { groupProgress } from '../core/groups';
import { inert } from '../core/inert';
import type { JobChangeEvent, JobRecord, JobState } from '../core/jobs/types';
import { isActive } from '../core/jobs/types';

export interface JobSource {
  active(): JobRecord[];
  /** Every job known, finished ones too (a group's progress counts its ended jobs). */
  list?(): JobRecord[];
  onDidChange(listener: (e: JobChangeEvent) => void): { dispose(): void };
}

/** The word for each state (looked up when shown, so the display language applies). */
const STATE_WORD: Record<JobState, () => string> = {
  queued: () => vscode.l10n.t('queued'),
  pending: () => vscode.l10n.t('queued'),
  submitted: () => vscode.l10n.t('queued'),
  in_progress: () => vscode.l10n.t('generating'),
  downloading: () => vscode.l10n.t('downloading'),
  success: () => vscode.l10n.t('done'),
  failed: () => vscode.l10n.t('failed'),
  cancelled: () => vscode.l10n.t('cancelled'),
  'timed-out': () => vscode.l10n.t('timed out'),
};

export function stateWord(state: JobState): string {
  return STATE_WORD[state]();
}

/** "generating · 0:12 — <prompt>" per running job, then how to open the gallery; plain text. */
export function runningTooltip(active: ReadonlyArray<Readonly<JobRecord>>, now: number): string {
  const lines = active.map((j) => {
    const prompt = j.request.prompt.length > 80 ? j.request.prompt.slice(0, 79) + '…' : j.request.prompt;
    return `${stateWord(j.state)} · ${formatElapsed(now - j.createdAt)} — ${inert(prompt)}`;
  });
  return [...lines, vscode.l10n.t('Click to open the gallery.')].join('\n');
}

/**
 * One status-bar item while any job runs: spinner, the newest job's state in words, a count when
 * several run; elapsed time and prompts in the tooltip. On finish: a brief done/failed, then hidden.
 * It only shows the scheduler's events; the polling itself is the engine's. The tooltip is a plain
 * string (a MarkdownString would render links in a prompt), with the prompts inert on top.
 */
export class JobStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly sub: { dispose(): void };
  private ticker: ReturnType<typeof setInterval> | undefined;
  private hideTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The jobs of the current run of work (from the first job that starts while none runs, until
   * none runs again) and those of them that ended: "Nano Banana: generating · 3 of 5".
   */
  private readonly run = new Set<string>();
  private readonly ended = new Set<string>();

  constructor(
    private readonly jobs: JobSource,
    private readonly lingerMs = 5000,
  ) {
    this.item = vscode.window.createStatusBarItem('nanoBanana.jobs', vscode.StatusBarAlignment.Left, 100);
    this.item.name = vscode.l10n.t('Nano Banana jobs');
    this.sub = jobs.onDidChange((e) => this.onChange(e));
    this.render();
  }

  private onChange(e: JobChangeEvent): void {
    const finished = !isActive(e.job.state) && isActive(e.previous);
    if (isActive(e.job.state) && !e.removed) this.run.add(e.job.id);
    else if (this.run.has(e.job.id)) this.ended.add(e.job.id);
    if (finished && this.jobs.active().length === 0) {
      this.showFinal(e.job);
      return;
    }
    this.render();
  }

  /**
   * " · 3 of 5" while a run of several jobs goes on (ended of all started), else nothing. When the
   * newest job belongs to a group, the group's own progress ("2 of 4"), read from the jobs
   * themselves so it is right after a reload too.
   */
  private progress(active: number, newest: Readonly<JobRecord>): string {
    if (newest.group) {
      const g = groupProgress(this.jobs.list?.() ?? this.jobs.active(), newest.group.id);
      if (g) return ` · ${vscode.l10n.t('{0} of {1}', g.ended, g.total)}`;
    }
    const total = Math.max(this.run.size, active);
    return total > 1 ? ` · ${vscode.l10n.t('{0} of {1}', Math.min(this.ended.size, total), total)}` : '';
  }

  private showFinal(job: Readonly<JobRecord>): void {
    this.stopTicker();
    const ok = job.state === 'success';
    this.item.text = ok ? `$(check) ${vscode.l10n.t('Nano Banana: done')}` : `$(error) ${vscode.l10n.t('Nano Banana: {0}', stateWord(job.state))}`;
    this.item.tooltip = inert(job.request.prompt);
    this.item.command = 'nanoBanana.showGallery';
    this.item.backgroundColor = ok ? undefined : new vscode.ThemeColor('statusBarItem.errorBackground');
    this.item.show();
    clearTimeout(this.hideTimer);
    this.hideTimer = setTimeout(() => this.render(), this.lingerMs);
  }

  render(): void {
    const active = this.jobs.active();
    if (active.length === 0) {
      this.stopTicker();
      this.item.hide();
      this.run.clear();
      this.ended.clear();
      return;
    }
    clearTimeout(this.hideTimer);
    const newest = active.reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
    this.item.text = `$(loading~spin) ${vscode.l10n.t('Nano Banana: {0}', stateWord(newest.state))}${this.progress(active.length, newest)}`;
    this.item.backgroundColor = undefined;
    this.item.tooltip = runningTooltip(active, Date.now());
    this.item.command = 'nanoBanana.showGallery';
    this.item.accessibilityInformation = { label: vscode.l10n.t('Nano Banana: {0} job(s) running', active.length) };
    this.item.show();
    this.ticker ??= setInterval(() => this.render(), 1000);
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Current text, for tests. */
  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.stopTicker();
    clearTimeout(this.hideTimer);
    this.sub.dispose();
    this.item.dispose();
  }
}
