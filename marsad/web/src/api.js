// Talking to the API. The token an analyst signs in with is kept for this tab only
// (sessionStorage) and sent in the Authorization header, never as a cookie: another site can
// then never make a signed-in browser write.

const KEY = 'marsad-token';

export const session = { token: sessionStorage.getItem(KEY) || '', user: null };

export function setToken(token) {
  session.token = token || '';
  session.user = null;
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}

export const canWrite = () => ['editor', 'admin'].includes(session.user?.role);

export async function request(method, path, { params, body } = {}) {
  const url = new URL(path, document.baseURI);
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== '' && value != null) url.searchParams.set(key, value);
  }
  const headers = { Accept: 'application/json' };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) {
    let detail = '';
    try {
      const problem = await res.json();
      detail = typeof problem.detail === 'string' ? problem.detail : JSON.stringify(problem.detail);
    } catch {
      // no JSON body
    }
    const error = new Error(`${path}: HTTP ${res.status}${detail ? ` (${detail})` : ''}`);
    error.status = res.status;
    throw error;
  }
  return res.json();
}

export const getJSON = (path, params) => request('GET', path, { params });
export const postJSON = (path, body) => request('POST', path, { body: body || {} });
