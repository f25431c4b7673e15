// The app's smoke path: sign up and log in over real HTTP, then let the process exit (the client flushes).
const { app } = require('./src/app');

const server = app.listen(0, async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const post = (path, body) => fetch(base + path, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const signup = await post('/signup', { email: 'ada@example.com', password: 'pw' });
  if (signup.status !== 201) throw new Error(`signup ${signup.status}`);
  const login = await post('/login', { email: 'ada@example.com', password: 'pw' });
  if (login.status !== 200) throw new Error(`login ${login.status}`);
  server.close();
});
