" Vim + Debian 12's ALE 3.3 as the user's editor for posthog-lsp: a manual acceptance run (see run.sh).
" Opens TARGET, waits for ALE's signs, lists the code actions at ANCHOR the way ALE's menu does, applies the one
" starting with PICK and saves. ALE runs only the `command` of an action that has both an edit and a command (against
" LSP, which applies the edit first): the server's command then writes the module and sends the edit itself, so one
" pick is enough. A second pick is allowed (and recorded in `picks`) to show a regression rather than a hang.
" Environment: TARGET, ANCHOR, PICK, EXPECT (text the saved file must contain), OUT.
set nocompatible
let &runtimepath = '/usr/share/vim-ale,' . &runtimepath
filetype plugin on
let s:report = {}
function! s:Note(key, value) abort
  let s:report[a:key] = a:value
  call writefile([json_encode(s:report)], $OUT)
endfunction
function! s:Ms() abort
  return float2nr(reltimefloat(reltime(s:t0)) * 1000)
endfunction
function! s:Wait(expr, ms) abort
  let l:waited = 0
  while !eval(a:expr) && l:waited < a:ms
    sleep 50m
    let l:waited += 50
  endwhile
  return eval(a:expr)
endfunction
let s:t0 = reltime()
let g:ale_linters = {'python': ['posthog'], 'javascript': ['posthog']}
let g:ale_lint_delay = 0
runtime plugin/ale.vim
" the README's line, for each filetype (run.sh puts `posthog-lsp` on PATH and starts Vim in the app's folder)
for s:ft in ['python', 'javascript']
  call ale#linter#Define(s:ft, {'name': 'posthog', 'lsp': 'stdio', 'executable': 'posthog-lsp', 'command': '%e', 'project_root': {_ -> getcwd()}})
endfor
let s:menu = v:null
function! s:Menu(data, items) abort
  let s:menu = [a:data, a:items]
endfunction
function! s:Pick(round) abort
  let s:menu = v:null
  call cursor(1, 1)
  call search($ANCHOR)
  call ale#codefix#Execute(0, function('s:Menu'))
  if !s:Wait('s:menu isnot v:null', 10000) | throw 'no code actions' | endif
  call s:Note('code_actions_' . a:round, map(copy(s:menu[1]),
  \ '[v:val[1].title, has_key(v:val[1], "edit") ? "edit" : "", get(get(v:val[1], "command", {}), "command", "")]'))
  let l:picked = filter(copy(s:menu[1]), 'v:val[1].title =~# "^" . $PICK')
  if empty(l:picked) | throw 'no action ' . $PICK | endif
  call ale#codefix#ApplyLSPCodeAction(s:menu[0], l:picked[0][1])
  call s:Wait('join(getline(1, "$"), "\n") =~# $EXPECT', 3000)
  silent write
  return join(readfile($TARGET), "\n") =~# $EXPECT
endfunction
function! s:Run() abort
  execute 'edit' fnameescape($TARGET)
  if !s:Wait('!empty(get(get(g:ale_buffer_info, bufnr(""), {}), "loclist", []))', 20000)
    throw 'no diagnostics shown'
  endif
  call s:Note('first_diagnostics_ms', s:Ms())
  call s:Note('diagnostics', map(copy(g:ale_buffer_info[bufnr('')].loclist), '[v:val.lnum, v:val.type, v:val.text]'))
  let l:picks = 1
  while !s:Pick(l:picks)
    if l:picks == 2 | throw 'the file was not edited after two picks' | endif
    let l:picks += 1
  endwhile
  call s:Note('picks', l:picks)
  call s:Note('applied_ms', s:Ms())
  call s:Note('ok', v:true)
endfunction
try
  call s:Run()
catch
  call s:Note('error', v:exception)
  call s:Note('ok', v:false)
endtry
qall!
