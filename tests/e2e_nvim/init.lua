-- Neovim config for the end-to-end test: the README's Neovim snippet (extracted by test_neovim.py into the
-- file named by $POSTHOG_E2E_CONFIG), run as is. Neovim 0.7 (Debian 12) lacks the two 0.8 APIs the snippet
-- calls, vim.lsp.start and vim.fs; the shims below provide them, so 0.7 users can copy this file.
-- Then, when $POSTHOG_E2E_SPEC is set, driver.lua plays the user once Neovim has started.

if not vim.lsp.start then
  -- one client per (name, root_dir), attached to every buffer that asks for it
  vim.lsp.start = function(config)
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
end

if not vim.fs then
  vim.fs = {}
  function vim.fs.dirname(path)
    return path and vim.fn.fnamemodify(path, ':h') or nil
  end
  -- only what the snippet uses: the nearest of `names` from opts.path (default: cwd) upwards
  function vim.fs.find(names, opts)
    names = type(names) == 'string' and { names } or names
    local dir = vim.fn.fnamemodify((opts or {}).path or vim.fn.getcwd(), ':p'):gsub('/$', '')
    while true do
      for _, name in ipairs(names) do
        local candidate = dir .. '/' .. name
        if vim.loop.fs_stat(candidate) then return { candidate } end
      end
      if dir == '' then return {} end
      dir = dir:match('^(.*)/[^/]*$')
    end
  end
end

vim.cmd('filetype on')
local config = os.getenv('POSTHOG_E2E_CONFIG')
if config then dofile(config) end

local spec = os.getenv('POSTHOG_E2E_SPEC')
if spec then
  local driver = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h') .. '/driver.lua'
  -- nested: the driver's :edit must fire FileType, which starts the server
  vim.api.nvim_create_autocmd('VimEnter', { once = true, nested = true, callback = function() dofile(driver) end })
end
