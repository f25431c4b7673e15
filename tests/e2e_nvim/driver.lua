-- Drives headless Neovim like a user: for each file of the spec, open it, wait for the PostHog squiggle,
-- ask for code actions on its line, apply the preferred quick fix and save. Writes a JSON report to
-- spec.out after every step (so a hang still leaves evidence) and exits 0 only when every file got fixed.
-- Spec (JSON file named by $POSTHOG_E2E_SPEC): { out, timeout_ms, quiet_ms, files = { { path, code }, ... } }.
-- Uses APIs present in Neovim 0.7 and later.

local uv = vim.loop
local function read(path)
  local f = assert(io.open(path, 'r'))
  local s = f:read('*a')
  f:close()
  return s
end

local spec = vim.fn.json_decode(read(os.getenv('POSTHOG_E2E_SPEC')))
local timeout = spec.timeout_ms or 10000
local report = { nvim = vim.version(), files = {}, publishes = {}, t = { driver_start = uv.hrtime() } }
-- whether this Neovim asks for diagnostics (textDocument/diagnostic) rather than waiting for them to be pushed
report.pull_diagnostics = (vim.lsp.protocol.make_client_capabilities().textDocument or {}).diagnostic ~= nil

local function save()
  local f = assert(io.open(spec.out, 'w'))
  f:write(vim.fn.json_encode(report))
  f:close()
end

-- note when each publishDiagnostics arrives (hrtime is CLOCK_MONOTONIC, like Python's time.monotonic_ns)
local publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ...)
  if result then
    local codes = vim.tbl_map(function(d) return d.code end, result.diagnostics or {})
    table.insert(report.publishes, { uri = result.uri, version = result.version, codes = codes, t = uv.hrtime() })
  end
  return publish(err, result, ...)
end

-- note when squiggles change on screen, pushed or pulled
report.shown = {}
vim.api.nvim_create_autocmd('DiagnosticChanged', {
  callback = function(args)
    local codes = vim.tbl_map(function(d) return d.code end, vim.diagnostic.get(args.buf))
    table.insert(report.shown, { file = vim.api.nvim_buf_get_name(args.buf), codes = codes, t = uv.hrtime() })
  end,
})

-- wait until the squiggles have not changed for `ms` (edits reach the server debounced, re-checks run after a pause)
local function settle(ms)
  local seen, since = #report.shown, uv.hrtime()
  vim.wait(timeout, function()
    if #report.shown ~= seen then seen, since = #report.shown, uv.hrtime() end
    return uv.hrtime() - since > ms * 1e6
  end, 20)
end

local function posthog_client(bufnr)
  for _, client in pairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
    if client.name == 'posthog-lsp' and vim.lsp.buf_is_attached(bufnr, client.id) then return client end
  end
end

local function find(bufnr, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == code then return d end
  end
end

-- the LSP form of a vim diagnostic: 0.8+ keeps it whole in user_data.lsp, 0.7 keeps only code/data
local function to_lsp(bufnr, d)
  local lsp = d.user_data and d.user_data.lsp
  if lsp and lsp.range then return lsp end
  for _, candidate in ipairs(vim.lsp.diagnostic.get_line_diagnostics(bufnr, d.lnum)) do
    if candidate.code == d.code and candidate.source == d.source then return candidate end
  end
end

-- until `code` is shown, or other squiggles have stood unchanged for spec.quiet_ms (no new result is coming)
local function wait_for_code(bufnr, code)
  local shown, since = nil, uv.hrtime()
  vim.wait(timeout, function()
    if find(bufnr, code) then return true end
    local now = table.concat(vim.tbl_map(function(d) return tostring(d.code) end, vim.diagnostic.get(bufnr)), ',')
    if now ~= shown then shown, since = now, uv.hrtime() end
    return now ~= '' and uv.hrtime() - since > (spec.quiet_ms or timeout) * 1e6
  end, 10)
  return find(bufnr, code) ~= nil
end

local function summary(bufnr)
  return vim.tbl_map(function(d)
    return { code = d.code, source = d.source, lnum = d.lnum, col = d.col, severity = d.severity, message = d.message }
  end, vim.diagnostic.get(bufnr))
end

local function fix_file(entry, result)
  vim.cmd('edit ' .. vim.fn.fnameescape(entry.path))
  local bufnr = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[bufnr].filetype
  assert(vim.wait(timeout, function() return posthog_client(bufnr) ~= nil end, 20), 'posthog-lsp did not attach')
  local client = posthog_client(bufnr)
  result.t_attached = uv.hrtime()
  assert(vim.wait(timeout, function() return client.initialized end, 10), 'initialize timed out')
  result.t_initialized = uv.hrtime()
  result.offset_encoding = client.offset_encoding
  result.root_dir = client.config.root_dir
  save()

  local got = wait_for_code(bufnr, entry.code)
  result.t_diagnostic = uv.hrtime()
  result.diagnostics = summary(bufnr)
  save()
  assert(got, 'no ' .. entry.code .. ' diagnostic within ' .. timeout .. ' ms')
  local d = find(bufnr, entry.code)
  local lsp_diag = assert(to_lsp(bufnr, d), 'no LSP form of the diagnostic')

  local params = {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag } },
  }
  local responses, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, timeout)
  result.t_code_actions = uv.hrtime()
  assert(responses and responses[client.id], 'codeAction: ' .. tostring(err))
  assert(not responses[client.id].error, 'codeAction error: ' .. vim.inspect(responses[client.id].error))
  local actions = responses[client.id].result or {}
  result.code_actions = vim.tbl_map(function(a)
    return { title = a.title, kind = a.kind, isPreferred = a.isPreferred or false, has_edit = a.edit ~= nil }
  end, actions)
  save()
  local function fixes(a)  -- the lightbulb's preferred quick fix for this very diagnostic
    local codes = vim.tbl_map(function(x) return x.code end, a.diagnostics or {})
    return a.kind == 'quickfix' and a.isPreferred and a.edit and vim.tbl_contains(codes, entry.code)
  end
  local chosen = vim.tbl_filter(fixes, actions)[1]
  assert(chosen, 'no preferred quick fix with an edit for ' .. entry.code)
  result.applied = chosen.title

  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  if type(chosen.command) == 'table' then  -- as vim.lsp.buf.code_action does: the edit, then the action's command
    result.command = chosen.command.command
    local reply = client.request_sync('workspace/executeCommand',
      { command = chosen.command.command, arguments = chosen.command.arguments }, timeout, bufnr)
    assert(reply and not reply.err, 'executeCommand: ' .. vim.inspect(reply and reply.err))
  end
  vim.cmd('silent wall')
  result.buffer_after = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
  -- the edit is sent as didChange; the server re-checks once typing pauses and the squiggle goes away
  result.cleared = vim.wait(timeout, function() return find(bufnr, entry.code) == nil end, 20)
  result.t_cleared = uv.hrtime()
  settle(500)
  result.diagnostics_after = summary(bufnr)
end

local ok_all = true
local ok, err = pcall(function()
  vim.o.hidden = true
  for i, entry in ipairs(spec.files) do
    local result = { path = entry.path, code = entry.code }
    report.files[i] = result
    save()
    local ok_file, file_err = pcall(fix_file, entry, result)
    result.ok = ok_file
    if not ok_file then result.error = tostring(file_err); ok_all = false end
    save()
  end
  local ids = {}
  for _, client in pairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
    ids[#ids + 1] = client.id
    if vim.fn.has('nvim-0.10') == 1 then client:stop() else client.stop() end  -- 0.7's stop takes no self
  end
  report.server_stopped = vim.wait(timeout, function()
    for _, id in ipairs(ids) do if vim.lsp.get_client_by_id(id) then return false end end
    return true
  end, 20)
end)
report.ok = ok and ok_all
if not ok then report.error = tostring(err) end
report.t.driver_end = uv.hrtime()
save()
vim.cmd(report.ok and 'qall!' or 'cquit 1')
