// The journey of tests/airplanes/scenario.py for Node drivers: post(path, payload, headers) -> [status, body].
const TRACING = { 'X-POSTHOG-DISTINCT-ID': 'anon-device-1', 'X-POSTHOG-SESSION-ID': 'session-1' }
const STEPS = [
  ['logout', null],
  ['login', { email: 'ada@example.com', password: 'any password' }],
  ['checkout', { plan: 'pro' }],
  ['subscription/cancel', { reason: 'too_expensive' }],
  ['account/delete', null],
]

async function runJourney(post) {
  const [status, body] = await post('signup', { email: 'ada@example.com', password: 'pw', company: 'Acme' }, TRACING)
  const statuses = [status]
  for (const [name, payload] of STEPS) statuses.push((await post(name, payload, {}))[0])
  return { user_id: body.id, statuses }
}

module.exports = { runJourney }
