// Runs one WebAuthn ceremony for a broker form: fetch options, ask the authenticator, post the result.
// No inline script anywhere (CSP script-src 'self'); the CSRF token travels in the JSON body and the
// server also checks the matching SameSite=Strict cookie (double submit).
'use strict';
window.strongroomCeremony = function strongroomCeremony(formId, ask) {
  const form = document.getElementById(formId);
  const status = document.getElementById('status');
  if (!form || !status) return;
  const say = (text, state) => {
    status.textContent = text;
    status.dataset.state = state;
  };
  const postJson = async (url, body) => {
    const res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const data = await res
      .json()
      .catch(() => ({ error: 'server_error', error_description: 'unreadable response' }));
    if (!res.ok) throw new Error(data.error_description || data.error || 'request failed');
    return data;
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    const csrf = form.elements.namedItem('csrf').value;
    // Other fields of the form (e.g. an unlock's reason) travel with the key's answer.
    const fields = Object.fromEntries(new FormData(form));
    try {
      say('Preparing…', 'busy');
      const optionsJSON = await postJson(form.dataset.options, { csrf });
      say('Touch your security key…', 'busy');
      const response = await ask(optionsJSON);
      say('Checking…', 'busy');
      const result = await postJson(form.action, { ...fields, csrf, response });
      if (result.redirectTo) {
        say('Signed in. Returning to your application…', 'done');
        window.location.assign(result.redirectTo);
      } else {
        say(result.message || 'Done.', 'done');
      }
    } catch (error) {
      say(`Failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
      if (button) button.disabled = false;
    }
  });
};
