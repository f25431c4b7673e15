-- Neovim config for the real-app session (manual, not in CI): the Neovim 0.7 shims and the README's snippet from
-- tests/e2e_nvim/init.lua, then driver.lua plays the user once Neovim has started ($POSTHOG_REALAPP_SPEC).
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
dofile(here .. '/../e2e_nvim/init.lua')
vim.api.nvim_create_autocmd('VimEnter', { once = true, nested = true, callback = function()
  dofile(here .. '/driver.lua')
end })
