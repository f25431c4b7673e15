const express = require('express');

const app = express();
app.use(express.json());
const users = new Map();

// A toy session: a real app uses express-session or passport.
function logIn(req, user) {
  req.user = user;
}

app.post('/signup', async (req, res) => {
  const user = { id: users.size + 1, email: req.body.email, password: req.body.password };
  users.set(user.email, user);
  res.status(201).json({ id: user.id });
});

app.post('/login', async (req, res) => {
  const user = users.get(req.body.email);
  if (!user || user.password !== req.body.password) {
    return res.status(401).json({ error: 'invalid credentials' });
  }
  logIn(req, user);
  res.json({ id: user.id });
});

module.exports = { app };
