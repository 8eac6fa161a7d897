// Following a job (an import, an identity resolve) to its end: GET its status_url every
// moment, showing the fraction done and the server's message in the user's language.
import { api, ApiError } from '../api.js';
import { fmt, register, t } from '../i18n.js';
import { h } from '../ui.js';

register({
  en: {
    job_queued: 'Waiting for the workspace…',
    job_progress: 'Progress',
    job_failed: 'The job failed',
  },
  vi: {
    job_queued: 'Đang chờ workspace…',
    job_progress: 'Tiến độ',
    job_failed: 'Tác vụ thất bại',
  },
});

const sleep = (ms) => new Promise((done) => { setTimeout(done, ms); });

/** A progress bar with its message; update(job) redraws it from a job's status body. */
export function progressBox() {
  const bar = h('progress', { max: 1, value: 0, 'aria-label': t('job_progress') });
  const words = h('span', { class: 'muted' }, t('job_queued'));
  const box = h('div', { class: 'job-progress', role: 'status', 'aria-live': 'polite' }, bar, ' ', h('span', { class: 'job-pct' }), ' ', words);
  box.update = (job) => {
    const fraction = (job.progress && job.progress.fraction) || 0;
    bar.value = fraction;
    box.querySelector('.job-pct').textContent = fmt.pct(fraction, 0);
    words.textContent = job.status === 'queued' ? t('job_queued') : (job.progress && job.progress.message) || '';
  };
  return box;
}

/** Poll a job until done; resolves its status body, throws an ApiError when it failed. */
export async function followJob(statusUrl, onUpdate) {
  let wait = 250;
  for (;;) {
    const job = await api(statusUrl);
    if (onUpdate) onUpdate(job);
    if (job.status === 'done') return job;
    if (job.status === 'failed') {
      throw new ApiError(422, { error: { ...(job.error || {}), message: (job.error && job.error.message) || t('job_failed') } });
    }
    await sleep(wait);
    wait = Math.min(wait * 1.5, 2000);
  }
}
