// A thin Express shop integrated with PostHog: signup, login, logout, checkout, cancel, delete account.
import { randomBytes, randomUUID } from 'node:crypto'
import express from 'express'
import { setupExpressErrorHandler, setupExpressRequestContext } from 'posthog-node'
import { posthog } from './posthog.js'

export const app = express()
app.use(express.json())
// Every request runs in a PostHog context: URL, method, user agent, X-POSTHOG-* headers.
setupExpressRequestContext(posthog, app)

const users = new Map() // email -> user; a real app has a database
const sessions = new Map() // session token -> user id
const PRICES = { starter: 900, pro: 2900 }

function sessionToken(req) {
  const match = /(?:^|;\s*)session=([^;]+)/.exec(req.headers.cookie ?? '')
  return match?.[1]
}

function currentUser(req) {
  const userId = sessions.get(sessionToken(req))
  return [...users.values()].find((u) => u.id === userId)
}

function requireUser(req, res, next) {
  req.user = currentUser(req)
  if (!req.user) return res.status(401).json({ error: 'login required' })
  next()
}

function startSession(res, user) {
  const token = randomBytes(16).toString('hex')
  sessions.set(token, user.id)
  res.cookie('session', token, { httpOnly: true, sameSite: 'lax' })
}

app.post('/signup', (req, res) => {
  const { email, company = '' } = req.body
  const user = { id: randomUUID(), email, companyId: randomUUID(), plan: 'free' }
  users.set(email, user)
  startSession(res, user)

  // B2B: the company is a group; later events carry groups: { company }.
  posthog.groupIdentify({ groupType: 'company', groupKey: user.companyId, properties: { name: company }, distinctId: user.id })
  // The stable user id is the distinct id; the email is a person property ($set), never an event property.
  posthog.capture({
    distinctId: user.id,
    event: 'user_signed_up',
    properties: { signup_method: 'email', $set: { email, plan: user.plan } },
    groups: { company: user.companyId },
  })
  res.status(201).json({ id: user.id })
})

app.post('/login', (req, res) => {
  const user = users.get(req.body.email)
  if (!user) return res.status(401).json({ error: 'unknown user' }) // this demo accepts any password
  startSession(res, user)

  posthog.capture({
    distinctId: user.id,
    event: 'user_logged_in',
    properties: { login_method: 'password', $set: { email: user.email } },
    groups: { company: user.companyId },
  })
  res.json({ id: user.id })
})

app.post('/logout', (req, res) => {
  const user = currentUser(req)
  // Capture before the session is gone: afterwards the user id is no longer known.
  if (user) posthog.capture({ distinctId: user.id, event: 'user_logged_out', groups: { company: user.companyId } })
  sessions.delete(sessionToken(req))
  res.clearCookie('session').status(204).end()
})

app.post('/checkout', requireUser, (req, res) => {
  const { plan } = req.body
  posthog.capture({
    distinctId: req.user.id,
    event: 'checkout_started',
    properties: { plan, amount_cents: PRICES[plan], currency: 'usd' },
    groups: { company: req.user.companyId },
  })
  req.user.plan = plan
  res.json({ plan })
})

app.post('/subscription/cancel', requireUser, (req, res) => {
  posthog.capture({
    distinctId: req.user.id,
    event: 'subscription_cancelled',
    properties: { plan: req.user.plan, reason: req.body?.reason ?? 'unspecified', $set: { plan: 'free' } },
    groups: { company: req.user.companyId },
  })
  req.user.plan = 'free'
  res.status(204).end()
})

app.post('/account/delete', requireUser, (req, res) => {
  posthog.capture({ distinctId: req.user.id, event: 'account_deleted', groups: { company: req.user.companyId } })
  users.delete(req.user.email)
  sessions.delete(sessionToken(req))
  res.clearCookie('session').status(204).end()
})

// After the routes: unhandled errors become $exception events.
setupExpressErrorHandler(posthog, app)
