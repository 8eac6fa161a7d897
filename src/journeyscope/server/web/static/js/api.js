// The one way pages talk to the server: the REST API, with the session cookie and, for
// changes, the session's CSRF token. Errors come back in the server's one shape.
import { t } from './i18n.js';

export const session = { workspace: null, user: null, csrf: null };

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || 'error';
    this.hint = error.hint || null;
    this.problems = error.problems || null;
    this.location = error.location || null;
  }
}

export function wsPath(rest = '') {
  return `/api/v1/workspaces/${encodeURIComponent(session.workspace)}${rest}`;
}

function withQuery(path, query) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value === undefined || value === null || value === '') continue;
    for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(key, one);
  }
  return url;
}

/** fetch() the API; JSON in and out unless told otherwise (raw: the Response). */
export async function api(path, { method = 'GET', body, query, headers = {}, raw = false } = {}) {
  // errors name the CLI's options (--window), which ui.js puts in the words of the
  // page's fields; other API clients get the query parameter's name (window)
  const sent = { Accept: 'application/json', 'X-JourneyScope-Names': 'options', ...headers };
  if (method !== 'GET' && session.csrf) sent['X-CSRF-Token'] = session.csrf;
  let payload = body;
  if (body !== undefined && !(body instanceof FormData) && !(body instanceof Blob) && typeof body !== 'string') {
    sent['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(withQuery(path, query), { method, headers: sent, body: payload, credentials: 'same-origin' });
  } catch (cause) {
    throw new ApiError(0, { error: { code: 'offline', message: t('error_offline') } });
  }
  if (!response.ok) {
    let parsed = null;
    try {
      parsed = await response.json();
    } catch (ignored) {
      parsed = null;
    }
    if (response.status === 401 && session.user && parsed && parsed.error && parsed.error.code === 'signed_out') {
      window.dispatchEvent(new CustomEvent('journeyscope:signed-out'));
    }
    throw new ApiError(response.status, parsed);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}
