// Login: posts the credentials as JSON; the server sets an HttpOnly session cookie.
'use strict';
document.getElementById('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = document.getElementById('login-error');
  error.textContent = '';
  try {
    const response = await fetch('/api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        username: document.getElementById('username').value,
        password: document.getElementById('password').value,
      }),
    });
    if (response.ok) {
      window.location.href = '/';
      return;
    }
    const body = await response.json().catch(() => ({}));
    error.textContent = body.error || `Login failed (${response.status})`;
  } catch (e) {
    error.textContent = 'The receiver cannot be reached: ' + e.message;
  }
});
