const express = require('express')
const { PostHog } = require('posthog-node')

const posthog = new PostHog('phc_7hQx2LmNbVcXzAsDfGhJkLpOiUyTrEwQ0123456', { host: 'https://us.i.posthog.com' })
const app = express()

app.post('/api/orders', async (req, res) => {
  posthog.capture({ distinctId: req.body.userId, event: 'order_created' })
  res.json({ ok: true })
})

app.listen(3001)
