-- Neovim config for posthog-lsp: what a user puts in their init.lua (the README's one line is the
-- `vim.lsp.start` call below). Works on Neovim >= 0.8 as is; on 0.7 (Debian bookworm) the same call is
-- provided by a small shim. The end-to-end test loads this file with `nvim --headless -u init.lua` and
-- then runs driver.lua next to it.

local function root_for(bufnr)
  -- nearest folder holding a manifest, else the file's folder
  local dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p:h')
  for _, marker in ipairs({ 'package.json', 'pyproject.toml', 'requirements.txt', '.git' }) do
    local found = vim.fn.findfile(marker, dir .. ';')
    if found == '' then found = vim.fn.finddir(marker, dir .. ';') end
    if found ~= '' then return (vim.fn.fnamemodify(found, ':p:h'):gsub('/%.git$', '')) end
  end
  return dir
end

-- Neovim 0.7 has no vim.lsp.start: start one client per root and attach every matching buffer to it.
local lsp_start = vim.lsp.start or function(config)
  local bufnr = vim.api.nvim_get_current_buf()
  for _, client in pairs(vim.lsp.get_active_clients()) do
    if client.name == config.name and client.config.root_dir == config.root_dir then
      vim.lsp.buf_attach_client(bufnr, client.id)
      return client.id
    end
  end
  local id = vim.lsp.start_client(config)
  if id then vim.lsp.buf_attach_client(bufnr, id) end
  return id
end

local python = os.getenv('POSTHOG_LSP_PYTHON')
local cmd = python and { python, '-m', 'lsp_server' } or { 'posthog-lsp', 'serve' }

vim.api.nvim_create_autocmd('FileType', {
  pattern = { 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'python' },
  callback = function(args)
    lsp_start({ name = 'posthog-lsp', cmd = cmd, root_dir = root_for(args.buf) })
  end,
})

vim.cmd('filetype on')

local driver = os.getenv('POSTHOG_E2E_SPEC') and (vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
  .. '/driver.lua')
if driver then
  vim.api.nvim_create_autocmd('VimEnter', { once = true, nested = true, callback = function() dofile(driver) end })
end
