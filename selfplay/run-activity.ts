/**
 * RUN/activity.json: what a running `tengen run` is doing right now (the block self-play is playing and by
 * which network, the learner's phase and its progress), so `tengen status` can show it from another
 * process. Rewritten atomically, at most once a second between transitions; progress updates in between
 * are kept in memory. The pid lets status tell a live run from one that was killed.
 */
import type { RunActivity, RunDir } from './run-dir.js';

const MIN_INTERVAL_MS = 1000;

export class RunActivityRecorder {
  private activity: RunActivity;
  private lastWrite = 0;
  private pending: NodeJS.Timeout | null = null;

  constructor(
    private readonly run: RunDir,
    pipeline: RunActivity['pipeline'],
  ) {
    const now = new Date().toISOString();
    this.activity = { format: 'tengen-run-activity', pid: process.pid, pipeline, startedAt: now, updated: now, selfplay: null, selfplayWaiting: 'starting', learner: null };
    this.write();
  }

  selfplay(value: RunActivity['selfplay'], waiting: string | null = null, transition = true): void {
    this.activity = { ...this.activity, selfplay: value, selfplayWaiting: value === null ? waiting : null };
    this.changed(transition);
  }

  learner(value: RunActivity['learner'], transition = true): void {
    this.activity = { ...this.activity, learner: value };
    this.changed(transition);
  }

  /** The run stopped: nothing runs any more. */
  stop(reason: string): void {
    if (this.pending !== null) clearTimeout(this.pending);
    this.pending = null;
    this.activity = { ...this.activity, selfplay: null, selfplayWaiting: reason, learner: null };
    this.write();
  }

  private changed(transition: boolean): void {
    const due = this.lastWrite + MIN_INTERVAL_MS - Date.now();
    if (transition || due <= 0) {
      if (this.pending !== null) clearTimeout(this.pending);
      this.pending = null;
      this.write();
    } else if (this.pending === null) {
      this.pending = setTimeout(() => {
        this.pending = null;
        this.write();
      }, due);
      this.pending.unref();
    }
  }

  private write(): void {
    this.activity = { ...this.activity, updated: new Date().toISOString() };
    this.lastWrite = Date.now();
    try {
      this.run.writeActivity(this.activity);
    } catch {
      // Reporting what runs must never stop what runs.
    }
  }
}

/** Whether the process that wrote an activity record is still alive (on this machine). */
export function activityIsLive(activity: RunActivity): boolean {
  if (activity.pid === process.pid) return true;
  try {
    process.kill(activity.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
