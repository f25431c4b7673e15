-- Plays a user on a real app in headless Neovim: for each step, open the file, wait for the PostHog diagnostic
-- `code` (on `line` when given, 0-based), ask for code actions there, apply the first one whose title contains
-- `title` (resolving it when the server sends the edit lazily), :wall, and wait until that warning is gone.
-- Spec ($POSTHOG_REALAPP_SPEC, JSON): { out, timeout_ms, quiet_ms, steps = { { path, code, title, line? }, ... } }.
-- Writes the JSON report after every step; exits 0 only when every step applied and cleared. Neovim 0.7+ APIs.

local uv = vim.loop
local function read(path)
  local f = assert(io.open(path, 'r'))
  local s = f:read('*a')
  f:close()
  return s
end

local spec = vim.fn.json_decode(read(os.getenv('POSTHOG_REALAPP_SPEC')))
local timeout = spec.timeout_ms or 15000
local report = { nvim = vim.version(), steps = {}, t = { driver_start = uv.hrtime() } }

local function save()
  local f = assert(io.open(spec.out, 'w'))
  f:write(vim.fn.json_encode(report))
  f:close()
end

local function client_for(bufnr)
  for _, client in pairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
    if client.name == 'posthog-lsp' and vim.lsp.buf_is_attached(bufnr, client.id) then return client end
  end
end

local function summary(bufnr)
  return vim.tbl_map(function(d) return { code = d.code, lnum = d.lnum, message = d.message } end,
    vim.diagnostic.get(bufnr))
end

local function pick(bufnr, step)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == step.code and (step.line == nil or d.lnum == step.line) then return d end
  end
end

-- 0.8+ keeps the whole LSP diagnostic in user_data.lsp; 0.7 only the code
local function to_lsp(bufnr, d)
  local lsp = d.user_data and d.user_data.lsp
  if lsp and lsp.range then return lsp end
  for _, c in ipairs(vim.lsp.diagnostic.get_line_diagnostics(bufnr, d.lnum)) do
    if c.code == d.code then return c end
  end
end

local function request(bufnr, method, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
  assert(responses, method .. ': ' .. tostring(err))
  for _, r in pairs(responses) do
    assert(not r.error, method .. ' error: ' .. vim.inspect(r.error))
    return r.result
  end
end

local function run_step(step, result)
  vim.cmd('edit ' .. vim.fn.fnameescape(step.path))
  local bufnr = vim.api.nvim_get_current_buf()
  local t0 = uv.hrtime()
  result.t_open = t0
  assert(vim.wait(timeout, function() return client_for(bufnr) ~= nil end, 20), 'posthog-lsp did not attach')
  local client = client_for(bufnr)
  assert(vim.wait(timeout, function() return client.initialized end, 10), 'initialize timed out')
  local got = vim.wait(timeout, function() return pick(bufnr, step) ~= nil end, 10)
  result.ms_to_diagnostic = (uv.hrtime() - t0) / 1e6
  result.diagnostics_before = summary(bufnr)
  save()
  assert(got, 'no ' .. step.code .. ' diagnostic' .. (step.line and (' on line ' .. step.line) or ''))
  local d = pick(bufnr, step)
  result.line = d.lnum
  result.message = d.message
  local lsp_diag = assert(to_lsp(bufnr, d), 'no LSP form of the diagnostic')
  -- cleared: one warning fewer with this code and message (another flow in the file may carry the same text)
  local message = d.message
  local function same()
    local n = 0
    for _, x in ipairs(vim.diagnostic.get(bufnr)) do
      if x.code == step.code and x.message == message then n = n + 1 end
    end
    return n
  end
  local before = same()
  local t1 = uv.hrtime()
  local actions = request(bufnr, 'textDocument/codeAction', {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag } },
  }) or {}
  result.ms_code_actions = (uv.hrtime() - t1) / 1e6
  result.code_actions = vim.tbl_map(function(a)
    return { title = a.title, kind = a.kind, isPreferred = a.isPreferred or false, has_edit = a.edit ~= nil,
             has_command = a.command ~= nil }
  end, actions)
  save()
  local chosen
  for _, a in ipairs(actions) do
    if a.title:find(step.title, 1, true) then chosen = a break end
  end
  assert(chosen, 'no code action titled like "' .. step.title .. '"')
  if not chosen.edit and not chosen.command then
    local t2 = uv.hrtime()
    chosen = request(bufnr, 'codeAction/resolve', chosen)
    result.ms_resolve = (uv.hrtime() - t2) / 1e6
  end
  result.applied = chosen.title
  if chosen.edit then vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding) end
  if chosen.command then
    local cmd = type(chosen.command) == 'table' and chosen.command or chosen
    request(bufnr, 'workspace/executeCommand', { command = cmd.command, arguments = cmd.arguments })
  end
  -- a buffer whose folder does not exist (a new file the edit created) makes :wall fail; note it and go on
  local wrote, wall_err = pcall(vim.cmd, 'silent wall')
  if not wrote then result.wall_error = tostring(wall_err) end
  result.unsaved = vim.tbl_map(vim.api.nvim_buf_get_name, vim.tbl_filter(function(b)
    return vim.api.nvim_buf_is_loaded(b) and vim.bo[b].modified end, vim.api.nvim_list_bufs()))
  result.t_saved = uv.hrtime()
  result.cleared = vim.wait(timeout, function() return same() < before end, 20)
  result.ms_apply_to_cleared = (uv.hrtime() - result.t_saved) / 1e6
  vim.wait(spec.quiet_ms or 1500, function() return false end, 50)  -- let the re-check settle
  result.diagnostics_after = summary(bufnr)
  result.buffer_after = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

local ok_all = true
local ok, err = pcall(function()
  vim.o.hidden = true
  for i, step in ipairs(spec.steps) do
    local result = { path = step.path, code = step.code, title = step.title }
    report.steps[i] = result
    local ok_step, step_err = pcall(run_step, step, result)
    result.ok = ok_step and result.cleared == true and result.wall_error == nil
    if not ok_step then result.error = tostring(step_err) end
    ok_all = ok_all and result.ok
    save()
  end
  vim.wait(spec.quiet_ms or 1500, function() return false end, 50)
  report.final = {}  -- every file's squiggles at the end of the session (a stale one shows here)
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and #vim.diagnostic.get(b) > 0 then
      report.final[vim.api.nvim_buf_get_name(b)] = summary(b)
    end
  end
  for _, client in pairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
    if vim.fn.has('nvim-0.10') == 1 then client:stop() else client.stop() end
  end
end)
report.ok = ok and ok_all
if not ok then report.error = tostring(err) end
report.t.driver_end = uv.hrtime()
save()
vim.cmd(report.ok and 'qall!' or 'cquit 1')
