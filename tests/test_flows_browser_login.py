"""Browser logins and signups that talk to the app's own API (`fetch('/api/login')`, axios) and then hand the user to
the app (`setUser(data.user)`, `onLogin(user)`, a store's `login(user)`, `signedIn(user)`): posthog-js identifies
the user right there. Look-alikes (a profile fetch, a logout, a server file, a failure path) ask for nothing.
Each snippet is a small app written for this test."""

from __future__ import annotations

from lsp_server.analysis.model import FlowKind
from tests.flows_support import flows_in_source


def _logins(path: str, source: str) -> list:
    return [f for f in flows_in_source(path, source) if f.kind in (FlowKind.LOGIN, FlowKind.SIGNUP)]


def _line(source: str, needle: str) -> int:
    return next(i for i, line in enumerate(source.split("\n")) if needle in line)


FETCH_LOGIN = """
import { useState } from 'react'
import { useAuth } from '../context/AuthContext'

export default function Login() {
  const { setUser } = useAuth()
  const handleLogin = async (e) => {
    e.preventDefault()
    const res = await fetch('/api/login', { method: 'POST', body: JSON.stringify({ email }) })
    const data = await res.json()
    if (!res.ok) {
      setError(data.message)
      return
    }
    setUser(data.user)
    navigate('/')
  }
  return <form onSubmit={handleLogin}></form>
}
"""


def test_fetch_login_identifies_the_user_before_it_is_handed_to_the_app():
    [flow] = _logins("src/pages/Login.jsx", FETCH_LOGIN)
    assert (flow.kind, flow.symbol, flow.side) == (FlowKind.LOGIN, "handleLogin", "client")
    assert flow.needs_identify and flow.user_id_expr == "data.user.id"
    assert flow.insert_line == _line(FETCH_LOGIN, "setUser(data.user)")  # after the `if (!res.ok) return` guard


AXIOS_SIGNUP_STORE = """
import axios from 'axios'
import { useAuthStore } from '../store/auth'

export function SignupForm() {
  const login = useAuthStore((s) => s.login)
  async function onSubmit(values) {
    const { data } = await axios.post('/api/auth/signup', values)
    login(data.user, data.token)
  }
  return <form onSubmit={onSubmit} />
}
"""


def test_axios_signup_handing_the_user_to_a_store_login_is_a_signup_with_its_id():
    [flow] = _logins("src/components/SignupForm.jsx", AXIOS_SIGNUP_STORE)
    assert flow.kind == FlowKind.SIGNUP and flow.needs_identify
    assert flow.user_id_expr == "data.user.id"
    assert flow.insert_line == _line(AXIOS_SIGNUP_STORE, "login(data.user")


TERNARY_FORM = """
import { useState } from 'react'

export function AuthForm({ onLogin }) {
  const [mode, setMode] = useState('login')
  const submit = async (e) => {
    e.preventDefault()
    const url = mode === 'login' ? '/api/auth/login' : '/api/auth/register'
    const res = await fetch(url, { method: 'POST' })
    const user = await res.json()
    onLogin(user)
  }
  return <form onSubmit={submit} />
}
"""


def test_one_form_posting_to_login_or_register_is_reported_as_a_login_not_a_signup():
    # "signed up" would count every login as a new account; after either the user is signed in
    [flow] = _logins("src/components/AuthForm.jsx", TERNARY_FORM)
    assert (flow.kind, flow.symbol, flow.user_id_expr) == (FlowKind.LOGIN, "submit", "user.id")
    assert flow.event == "user_logged_in"


TYPED_PATH = """
import { useState, type FormEvent } from 'react'
import { post, type Me } from './api'

export function App() {
  const [me, setMe] = useState<Me | null>(null)
  function signedIn(user: Me) {
    setMe(user)
  }
  async function authenticate(path: '/signup' | '/login', event: FormEvent) {
    event.preventDefault()
    const user = await post<Me>(path, { email: 'a@b.c' })
    if (user) signedIn(user)
  }
  return <form onSubmit={(e) => authenticate('/login', e)} />
}
"""


def test_a_path_typed_as_signup_or_login_identifies_inside_the_success_branch():
    [flow] = _logins("src/App.tsx", TYPED_PATH)
    assert (flow.kind, flow.symbol, flow.user_id_expr) == (FlowKind.LOGIN, "authenticate", "user.id")
    row = _line(TYPED_PATH, "if (user) signedIn(user)")
    assert flow.insert_line == row and flow.anchor is not None and flow.anchor.start_line == row  # braced there


CALL_SITE_PATHS_JS = """
import { useState } from 'react'

export function App() {
  const [me, setMe] = useState(null)
  async function authenticate(path, event) {
    const res = await fetch(path, { method: 'POST' })
    const currentUser = await res.json()
    setCurrentUser(currentUser)
  }
  return (
    <form onSubmit={(e) => authenticate('/api/signup', e)}>
      <button onClick={(e) => authenticate('/api/signup', e)}>Sign up</button>
    </form>
  )
}
"""


def test_plain_javascript_takes_the_url_from_the_call_sites():
    [flow] = _logins("src/App.jsx", CALL_SITE_PATHS_JS)
    assert (flow.kind, flow.symbol, flow.user_id_expr) == (FlowKind.SIGNUP, "authenticate", "currentUser.id")


UNNAMED_USER = """
'use client'
import { useState } from 'react'

type Me = { id: string; email: string }

export default function Home() {
  const [me, setMe] = useState<Me | null>(null)
  function signedIn(user: Me) {
    setMe(user)
  }
  async function authenticate(path: '/api/signup' | '/api/login') {
    const res = await fetch(path, { method: 'POST' })
    if (!res.ok) return
    signedIn((await res.json()) as Me)
  }
  return <form onSubmit={() => authenticate('/api/login')} />
}
"""


def test_a_user_the_code_never_names_is_identified_in_the_local_function_receiving_it():
    [flow] = _logins("app/page.tsx", UNNAMED_USER)
    assert (flow.kind, flow.symbol, flow.user_id_expr) == (FlowKind.LOGIN, "signedIn", "user.id")
    assert flow.insert_line == _line(UNNAMED_USER, "setMe(user)")


REDUX_ENDPOINTS = """
import { useDispatch } from 'react-redux'
import { api, ENDPOINTS } from '../api'

export function LoginForm() {
  const dispatch = useDispatch()
  const handleSubmit = async (values) => {
    const { data } = await api.post(ENDPOINTS.AUTH.LOGIN, values)
    dispatch(setCredentials({ user: data.user, token: data.token }))
  }
  return <form onSubmit={handleSubmit} />
}
"""


def test_redux_credentials_after_a_named_endpoint_are_the_login_success():
    [flow] = _logins("src/features/auth/LoginForm.jsx", REDUX_ENDPOINTS)
    assert (flow.kind, flow.user_id_expr) == (FlowKind.LOGIN, "data.user.id")
    assert flow.insert_line == _line(REDUX_ENDPOINTS, "dispatch(setCredentials")


MONGO_IDS = """
import axios from 'axios'

export default function Register({ setUser }) {
  const onRegister = async (form) => {
    const res = await axios.post('/api/users/register', form)
    localStorage.setItem('uid', res.data.user._id)
    setUser(res.data.user)
  }
  return <form onSubmit={onRegister} />
}
"""


def test_the_id_field_is_the_one_the_file_reads():
    [flow] = _logins("src/pages/Register.jsx", MONGO_IDS)
    assert (flow.kind, flow.user_id_expr) == (FlowKind.SIGNUP, "res.data.user._id")


PINIA_STORE = """
import { defineStore } from 'pinia'
import api from '@/services/api'

export const useAuthStore = defineStore('auth', {
  state: () => ({ user: null, token: null }),
  actions: {
    async login(credentials) {
      const { data } = await api.post('/auth/login', credentials)
      this.token = data.token
      this.user = data.user
    },
  },
})
"""


def test_a_store_assigning_the_user_after_the_request_identifies_it_there():
    [flow] = _logins("src/stores/auth.js", PINIA_STORE)
    assert (flow.kind, flow.symbol, flow.user_id_expr) == (FlowKind.LOGIN, "login", "data.user.id")
    assert flow.insert_line == _line(PINIA_STORE, "this.user = data.user")


THEN_CHAIN = """
export function LoginPage({ setCurrentUser }) {
  function handleSubmit(e) {
    e.preventDefault()
    fetch('/api/auth/login', { method: 'POST' })
      .then((r) => r.json())
      .then((data) => {
        if (data.error) return setError(data.error)
        setCurrentUser(data.user)
      })
  }
  return <form onSubmit={handleSubmit} />
}
"""


def test_a_promise_chain_identifies_in_the_callback_that_receives_the_user():
    [flow] = _logins("src/pages/LoginPage.jsx", THEN_CHAIN)
    assert (flow.symbol, flow.user_id_expr) == ("handleSubmit", "data.user.id")
    assert flow.insert_line == _line(THEN_CHAIN, "setCurrentUser(data.user)")  # after the error guard


MUTATION_HOOK = """
import { useMutation } from '@tanstack/react-query'
import { api } from '../lib/api'

export function useLogin() {
  const { setUser } = useAuth()
  return useMutation({
    mutationFn: (creds: Creds) => api.post('/auth/login', creds),
    onSuccess: (res) => {
      setUser(res.data.user)
      navigate('/')
    },
  })
}
"""


def test_a_login_mutation_identifies_the_user_its_on_success_hands_on():
    [flow] = _logins("src/hooks/useLogin.ts", MUTATION_HOOK)
    assert (flow.symbol, flow.user_id_expr) == ("useLogin", "res.data.user.id")
    assert flow.insert_line == _line(MUTATION_HOOK, "setUser(res.data.user)")


REDUX_THUNK_AND_STORAGE = """
import axios from 'axios'

export const login = (email, password) => async (dispatch) => {
  try {
    dispatch({ type: USER_LOGIN_REQUEST })
    const { data } = await axios.post('/api/users/login', { email, password })
    dispatch({ type: USER_LOGIN_SUCCESS, payload: data.user })
  } catch (error) {
    dispatch({ type: USER_LOGIN_FAIL, payload: error.message })
  }
}

export function SignupForm() {
  async function handleSignup(form) {
    const res = await fetch('/api/auth/signup', { method: 'POST', body: JSON.stringify(form) })
    const json = await res.json()
    localStorage.setItem('token', json.token)
    localStorage.setItem('user', JSON.stringify(json.user))
  }
  return <form onSubmit={handleSignup} />
}
"""


def test_a_redux_action_payload_and_a_stored_user_are_hand_offs():
    flows = {f.kind: f for f in _logins("src/actions/userActions.jsx", REDUX_THUNK_AND_STORAGE)}
    login, signup = flows[FlowKind.LOGIN], flows[FlowKind.SIGNUP]
    assert login.user_id_expr == "data.user.id"
    assert login.insert_line == _line(REDUX_THUNK_AND_STORAGE, "USER_LOGIN_SUCCESS")  # not the REQUEST dispatch
    assert signup.user_id_expr == "json.user.id"
    assert signup.insert_line == _line(REDUX_THUNK_AND_STORAGE, "setItem('user'")  # the token alone names no user


# --- look-alikes -------------------------------------------------------------------------------------------------

LOOK_ALIKES = {
    # refreshing the profile hands a user on, but nobody logs in
    "src/pages/Profile.jsx": """
import { useEffect } from 'react'
export function Profile({ setUser }) {
  async function refreshProfile() {
    const res = await fetch('/api/profile')
    const data = await res.json()
    setUser(data.user)
  }
  return <button onClick={refreshProfile}>Reload</button>
}
""",
    # a store reloading the signed-in user: nobody logs in
    "src/stores/session.js": """
import { defineStore } from 'pinia'
export const useSession = defineStore('session', {
  actions: {
    async fetchUser() {
      const { data } = await api.get('/auth/me')
      this.user = data.user
    },
  },
})
""",
    # a logout empties the user: no login
    "src/components/LogoutButton.jsx": """
export function LogoutButton({ setUser }) {
  async function doLogout() {
    await fetch('/api/logout', { method: 'POST' })
    setUser(null)
  }
  return <button onClick={doLogout}>Log out</button>
}
""",
    # the server-side proxy of a login: no browser identify (server files get the server's flows)
    "src/server/proxy.server.ts": """
export async function forward(body: unknown) {
  const res = await fetch('https://auth.example.com/login', { method: 'POST', body: JSON.stringify(body) })
  const user = await res.json()
  setUser(user)
  return user
}
""",
}


def test_look_alikes_hand_no_user_on_after_a_login():
    for path, source in LOOK_ALIKES.items():
        found = [f for f in _logins(path, source) if any("hands the user" in e for e in f.evidence)]
        assert found == [], path


def test_a_user_emptied_in_the_failure_path_is_no_success():
    source = """
export function LoginForm({ setUser }) {
  const handleLogin = async (creds) => {
    try {
      await fetch('/api/login', { method: 'POST', body: JSON.stringify(creds) })
    } catch (err) {
      setUser(null)
    }
  }
  return <form onSubmit={handleLogin} />
}
"""
    [flow] = _logins("src/LoginForm.jsx", source)
    assert flow.kind == FlowKind.LOGIN and not any("hands the user" in e for e in flow.evidence)


def test_credentials_passed_to_a_login_helper_are_not_the_user():
    source = """
export function LoginForm({ login }) {
  const handleLogin = async (email, password) => {
    const res = await fetch('/api/login', { method: 'POST' })
    login(email, password)
  }
  return <form onSubmit={handleLogin} />
}
"""
    flows = _logins("src/LoginForm.jsx", source)
    assert all(f.user_id_expr is None or "mail" not in f.user_id_expr for f in flows)
    assert not any("hands the user" in e for f in flows for e in f.evidence)


def test_the_raw_response_is_not_the_user():
    source = """
export function LoginForm({ setSession }) {
  const handleLogin = async () => {
    const res = await fetch('/api/login', { method: 'POST' })
    setSession(res)
  }
  return <form onSubmit={handleLogin} />
}
"""
    flows = _logins("src/LoginForm.jsx", source)
    assert [f.user_id_expr for f in flows] == [None]


# --- what the quick fix writes --------------------------------------------------------------------------------------


def _tracked(path: str, source: str) -> str:
    from lsp_server.analysis import analyze_document
    from lsp_server.analysis.model import Package
    from lsp_server.edits import BundledSnippets, apply_edits, plan_flow_tracking
    from tests.edits_support import error_nodes

    package = Package(path=".", framework="react-spa", language="typescript", package_manager="npm")
    flows = [f for f in analyze_document(path, source, package=package).flows if f.needs_identify]
    assert flows, "the detector should find the login"
    edits = [e for f in flows for e in plan_flow_tracking(source, path, f, package, BundledSnippets())]
    text = apply_edits(source, [e for e in edits if e.path == path])
    assert not error_nodes(text, path), text
    return text


def test_the_quick_fix_identifies_inside_the_braced_success_branch():
    text = _tracked("src/App.tsx", TYPED_PATH)
    branch = next(line for line in text.split("\n") if "signedIn(user)" in line and "if (user)" in line)
    assert "{" in branch and branch.index("posthog.identify(") < branch.index("signedIn(user)"), branch
    assert "user.id" in branch


def test_the_quick_fix_identifies_before_the_user_is_handed_on():
    text = _tracked("src/pages/Login.jsx", FETCH_LOGIN)
    lines = text.split("\n")
    identify = next(i for i, line in enumerate(lines) if "posthog.identify(" in line)
    assert "data.user.id" in lines[identify]
    assert identify < next(i for i, line in enumerate(lines) if "setUser(data.user)" in line)
    assert identify > next(i for i, line in enumerate(lines) if "return" in line and i > 5)  # after the failure guard


LOOKUP_NAMED_LOGIN = """
export function Restore({ setUser }) {
  async function restore() {
    const user = await cache.get('login')
    setUser(user)
  }
  return <button onClick={restore}>Restore</button>
}
"""


def test_a_bare_word_read_with_a_lookup_call_is_no_login_url_as_the_vocabulary_says():
    """`cache.get('login')` reads a key, not the URL `login`: the callees that are lookups are data
    (`getters` in `[user_id] client_handoff`, skills/detection/flows.toml), so a vocabulary without them changes it."""
    from dataclasses import replace

    from lsp_server.analysis.vocabulary import load

    path = "src/components/Restore.jsx"
    assert not [f for f in _logins(path, LOOKUP_NAMED_LOGIN) if any("hands the user" in e for e in f.evidence)]
    vocab = load()
    handoff = {**vocab.user_id["client_handoff"], "getters": []}
    bare = replace(vocab, user_id={**vocab.user_id, "client_handoff": handoff})
    found = [f for f in flows_in_source(path, LOOKUP_NAMED_LOGIN, bare) if f.kind == FlowKind.LOGIN]
    assert [f.user_id_expr for f in found if any("hands the user" in e for e in f.evidence)] == ["user.id"]
