"""`posthog/missing-identify` per flow (S4-15): an identify in one login does not silence another login of the package;
one in an auth-state listener, a provider, a signal receiver or a middleware covers them all."""

from __future__ import annotations

import json
from pathlib import Path

from flows_support import flows_in_source

from lsp_server.analysis.document import analyze_document
from lsp_server.analysis.model import Flow, Package
from lsp_server.analysis.workspace import find_packages

MISSING = "posthog/missing-identify"

AUTH_CONTEXT = """import React, { createContext, useEffect, useState } from 'react'
import posthog from 'posthog-js'
import { supabase } from '../supabaseClient'

export function AuthProvider({ children }) {
  const [user, setUser] = useState(null)

  useEffect(() => {
    const { data: { subscription } } = supabase.auth.onAuthStateChange((_event, session) => {
      setUser(session?.user ?? null)
    })
    return () => subscription.unsubscribe()
  }, [])

  const signup = async (email, password) => {
    const { data, error } = await supabase.auth.signUp({ email, password })
    if (error) throw error
    posthog.identify(data.user.id)
    return data.user
  }

  const login = async (email, password) => {
    const { data, error } = await supabase.auth.signInWithPassword({ email, password })
    if (error) throw error
    return data.user
  }

  return <AuthContext.Provider value={{ user, login, signup }}>{children}</AuthContext.Provider>
}
"""
# the same provider identifying in its auth-state listener: every sign-in passes there
AUTH_LISTENER = AUTH_CONTEXT.replace(
    "      setUser(session?.user ?? null)\n    })",
    "      setUser(session?.user ?? null)\n      if (session?.user) posthog.identify(session.user.id)\n    })",
).replace("    posthog.identify(data.user.id)\n", "")
FIREBASE_LOGIN = """import { signInWithEmailAndPassword } from 'firebase/auth'
import { auth } from './firebase'

export async function handleLogin(email, password) {
  const cred = await signInWithEmailAndPassword(auth, email, password)
  return cred.user
}
"""
IDENTIFY_COMPONENT = """'use client'
import { useEffect } from 'react'
import posthog from 'posthog-js'
import { useSession } from 'next-auth/react'

export function PostHogIdentify() {
  const { data: session } = useSession()
  if (session?.user) posthog.identify(session.user.id)
  return null
}
"""
IDENTIFY_IN_SIGNUP_PAGE = """import posthog from 'posthog-js'
import { createUserWithEmailAndPassword } from 'firebase/auth'

export async function handleSignup(email, password) {
  const cred = await createUserWithEmailAndPassword(auth, email, password)
  posthog.identify(cred.user.uid)
}
"""

DJANGO_VIEWS = '''import posthog
from django.contrib.auth import authenticate, login
from django.shortcuts import redirect, render

from .forms import SignUpForm


def signup_view(request):
    form = SignUpForm(request.POST)
    if form.is_valid():
        user = form.save()
        login(request, user)
        posthog.identify_context(str(user.pk))
        return redirect("home")
    return render(request, "signup.html", {"form": form})


def login_view(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is not None:
        login(request, user)
        return redirect("home")
    return render(request, "login.html")
'''
DJANGO_RECEIVER = '''import posthog
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in)
def identify_on_sign_in(sender, request, user, **kwargs):
    posthog.identify_context(str(user.pk))
'''
DJANGO_MIDDLEWARE = '''import posthog


class PostHogUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with posthog.new_context():
            if request.user.is_authenticated:
                posthog.identify_context(str(request.user.pk))
            return self.get_response(request)
'''
DJANGO_HELPER_IN_VIEW = '''import posthog


def track_signup(user):
    """Not a global place: a plain helper the signup view calls."""
    posthog.identify_context(str(user.pk))
'''


def _by_symbol(flows: list[Flow]) -> dict[str, Flow]:
    return {f.symbol: f for f in flows}


def _warned(path: str, text: str, package: Package | None = None) -> set[int]:
    """1-based lines of the missing-identify warnings in `path`."""
    analysis = analyze_document(path, text, package=package)
    return {f.span.start_line + 1 for f in analysis.findings if f.code == MISSING}


def _package(tmp_path: Path, manifest: str, files: dict[str, str]) -> Package:
    (tmp_path / manifest).write_text(
        json.dumps({"name": "app", "dependencies": {"react": "18.2.0", "posthog-js": "1.200.0"}})
        if manifest == "package.json"
        else "django==5.0\nposthog==7.0.0\n",
        encoding="utf-8",
    )
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (package,) = find_packages(tmp_path)
    return package


# --- one document ---------------------------------------------------------------------------------------------------


def test_identify_in_the_signup_leaves_the_login_of_the_same_provider_warned():
    flows = _by_symbol(flows_in_source("src/context/AuthContext.jsx", AUTH_CONTEXT))
    assert flows["signup"].identify_present
    assert flows["login"].needs_identify and not flows["login"].identify_present
    (line,) = _warned("src/context/AuthContext.jsx", AUTH_CONTEXT)
    assert flows["login"].span.start_line < line <= flows["login"].span.end_line + 1


def test_identify_in_the_auth_state_listener_covers_every_login_of_the_file():
    flows = _by_symbol(flows_in_source("src/context/AuthContext.jsx", AUTH_LISTENER))
    assert flows["signup"].identify_present and flows["login"].identify_present
    assert _warned("src/context/AuthContext.jsx", AUTH_LISTENER) == set()


def test_identify_in_a_use_effect_on_the_user_covers_the_login_beside_it():
    source = AUTH_CONTEXT.replace("    posthog.identify(data.user.id)\n", "").replace(
        "  return <AuthContext",
        "  useEffect(() => {\n    if (user) posthog.identify(user.id)\n  }, [user])\n\n  return <AuthContext",
    )
    flows = _by_symbol(flows_in_source("src/context/AuthContext.jsx", source))
    assert flows["login"].identify_present and flows["signup"].identify_present


def test_identify_helper_called_by_the_login_counts_and_a_sibling_login_stays_warned():
    source = """import posthog from 'posthog-js'

function identifyUser(user) {
  posthog.identify(user.uid, { email: user.email })
}

export async function handleLogin(email, password) {
  const cred = await signInWithEmailAndPassword(auth, email, password)
  identifyUser(cred.user)
}

export async function handleGoogleLogin() {
  const cred = await signInWithPopup(auth, provider)
  return cred.user
}
"""
    flows = _by_symbol(flows_in_source("src/auth.js", source))
    assert flows["handleLogin"].identify_present
    assert not flows["handleGoogleLogin"].identify_present


def test_an_imported_identify_helper_counts_for_the_login_calling_it():
    source = FIREBASE_LOGIN.replace(
        "import { auth } from './firebase'\n",
        "import { auth } from './firebase'\nimport { identifyUser } from './analytics'\n",
    ).replace("  return cred.user\n", "  identifyUser(cred.user)\n  return cred.user\n")
    (flow,) = flows_in_source("src/auth.js", source)
    assert flow.identify_present


def test_identify_in_expression_bodied_callbacks_counts():
    then = """import posthog from 'posthog-js'
export const login = (email, pw) => signInWithEmailAndPassword(auth, email, pw).then(u => posthog.identify(u.user.uid))
"""
    (flow,) = flows_in_source("src/auth.js", then)
    assert flow.identify_present
    angular = """import { Injectable } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { PostHogService } from './posthog.service';

@Injectable({ providedIn: 'root' })
export class AuthService {
  constructor(private http: HttpClient, private posthog: PostHogService) {}
  login(credentials: any) {
    return this.http.post<any>('/api/auth/login', credentials).pipe(tap((res) => this.posthog.identify(res.user.id)));
  }
  register = (body: any) =>
    this.http.post<any>('/api/auth/register', body).pipe(tap(res => this.posthog.identify(res.id)));
}
"""
    flows = flows_in_source("src/app/auth.service.ts", angular)
    assert {f.kind.value for f in flows} == {"login", "signup"}
    assert all(f.identify_present for f in flows)
    assert _warned("src/app/auth.service.ts", angular) == set()


def test_django_identify_in_the_signup_view_leaves_the_login_view_warned():
    flows = _by_symbol(flows_in_source("shop/views.py", DJANGO_VIEWS))
    assert flows["signup_view"].identify_present
    assert not flows["login_view"].identify_present
    (line,) = _warned("shop/views.py", DJANGO_VIEWS)
    assert flows["login_view"].span.start_line < line <= flows["login_view"].span.end_line + 1


def test_django_user_logged_in_receiver_in_the_same_module_covers_the_login_view():
    source = DJANGO_VIEWS.replace("        posthog.identify_context(str(user.pk))\n", "") + "\n\n" + DJANGO_RECEIVER
    flows = _by_symbol(flows_in_source("shop/views.py", source))
    assert flows["login_view"].identify_present and flows["signup_view"].identify_present


# --- across the package ---------------------------------------------------------------------------------------------


def test_identify_in_another_files_signup_does_not_silence_this_login(tmp_path: Path):
    files = {"src/signup.js": IDENTIFY_IN_SIGNUP_PAGE, "src/login.js": FIREBASE_LOGIN}
    package = _package(tmp_path, "package.json", files)
    assert not package.posthog.has_identify
    assert _warned("src/login.js", FIREBASE_LOGIN, package)


def test_identify_component_elsewhere_in_the_package_covers_this_login(tmp_path: Path):
    package = _package(
        tmp_path, "package.json", {"src/PostHogIdentify.jsx": IDENTIFY_COMPONENT, "src/login.js": FIREBASE_LOGIN}
    )
    assert package.posthog.has_identify
    assert not _warned("src/login.js", FIREBASE_LOGIN, package)


def test_auth_listener_in_another_file_covers_this_login(tmp_path: Path):
    package = _package(
        tmp_path, "package.json", {"src/context/AuthContext.jsx": AUTH_LISTENER, "src/login.js": FIREBASE_LOGIN}
    )
    assert package.posthog.has_identify
    assert not _warned("src/login.js", FIREBASE_LOGIN, package)


def test_django_receiver_module_covers_the_login_view(tmp_path: Path):
    views = DJANGO_VIEWS.replace("        posthog.identify_context(str(user.pk))\n", "")
    package = _package(tmp_path, "requirements.txt", {"manage.py": "", "shop/signals.py": DJANGO_RECEIVER})
    assert package.posthog.has_identify
    assert not _warned("shop/views.py", views, package)


def test_django_middleware_covers_the_login_view(tmp_path: Path):
    views = DJANGO_VIEWS.replace("        posthog.identify_context(str(user.pk))\n", "")
    package = _package(tmp_path, "requirements.txt", {"manage.py": "", "shop/middleware.py": DJANGO_MIDDLEWARE})
    assert package.posthog.has_identify
    assert not _warned("shop/views.py", views, package)


def test_django_identify_in_another_views_signup_or_a_plain_helper_is_not_the_packages(tmp_path: Path):
    views = DJANGO_VIEWS.replace("        posthog.identify_context(str(user.pk))\n", "")
    package = _package(
        tmp_path,
        "requirements.txt",
        {"manage.py": "", "accounts/views.py": DJANGO_VIEWS, "accounts/analytics.py": DJANGO_HELPER_IN_VIEW},
    )
    assert not package.posthog.has_identify
    assert _warned("shop/views.py", views, package)


LOGIN_PAGE = """import { useState } from 'react'
import { useAuth } from '../context/AuthContext'

export default function Login() {
  const { login } = useAuth()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const onSubmit = async (e) => {
    e.preventDefault()
    await login(email, password)
    nav('/app')
  }
  return <form onSubmit={onSubmit} />
}
"""
SIGNUP_PAGE = LOGIN_PAGE.replace("login", "signup").replace("Login", "Signup")


def test_page_calling_the_contexts_identifying_signup_is_identified_and_the_login_page_is_not(tmp_path: Path):
    files = {"src/context/AuthContext.jsx": AUTH_CONTEXT, "src/pages/Login.jsx": LOGIN_PAGE,
             "src/pages/Signup.jsx": SIGNUP_PAGE}
    package = _package(tmp_path, "package.json", files)
    assert not package.posthog.has_identify and "signup" in package.posthog.identify_functions
    signup = analyze_document("src/pages/Signup.jsx", SIGNUP_PAGE, package=package)
    login = analyze_document("src/pages/Login.jsx", LOGIN_PAGE, package=package)
    assert [f.identify_present for f in signup.flows if f.needs_identify] == [True]
    assert [f.identify_present for f in login.flows if f.needs_identify] == [False]
    assert _warned("src/pages/Login.jsx", LOGIN_PAGE, package)


EXPRESS_MIDDLEWARE = """const { PostHog } = require('posthog-node')
const posthog = new PostHog(process.env.POSTHOG_KEY)
app.use((req, res, next) => {
  if (req.user) posthog.identify({ distinctId: String(req.user.id), properties: { email: req.user.email } })
  next()
})
"""
EXPRESS_LOGIN = """const bcrypt = require('bcrypt')
router.post('/login', async (req, res) => {
  const user = await User.findOne({ email: req.body.email })
  if (!user || !(await bcrypt.compare(req.body.password, user.password))) return res.status(401).end()
  req.session.userId = user.id
  res.json({ id: user.id })
})
"""


def test_express_middleware_identifying_every_request_covers_the_login_route(tmp_path: Path):
    files = {"src/app.js": EXPRESS_MIDDLEWARE, "src/routes/auth.js": EXPRESS_LOGIN}
    package = _package(tmp_path, "package.json", files)
    assert package.posthog.has_identify
    assert not _warned("src/routes/auth.js", EXPRESS_LOGIN, package)


def test_a_generic_submit_handler_identifying_elsewhere_does_not_cover_another_form(tmp_path: Path):
    signup_form = """import posthog from 'posthog-js'
export default function SignupForm() {
  const onSubmit = async (values) => {
    const { user } = await createUserWithEmailAndPassword(auth, values.email, values.password)
    posthog.identify(user.uid)
  }
  return <form onSubmit={form.handleSubmit(onSubmit)} />
}
"""
    login_form = """export default function LoginForm() {
  const handleSubmit = async (values) => {
    await signInWithEmailAndPassword(auth, values.email, values.password)
  }
  return <form onSubmit={form.handleSubmit(handleSubmit)} />
}
"""
    package = _package(tmp_path, "package.json", {"src/SignupForm.jsx": signup_form})
    assert "onSubmit" not in package.posthog.identify_functions
    assert _warned("src/LoginForm.jsx", login_form, package)


def test_a_posthog_wrapper_services_identify_method_is_not_the_packages_identify(tmp_path: Path):
    service = """import { Injectable } from '@angular/core';
import posthog from 'posthog-js';

@Injectable({ providedIn: 'root' })
export class PostHogService {
  identify(userId: string) {
    posthog.identify(userId);
  }
}
"""
    login = """import { Injectable } from '@angular/core';
import { HttpClient } from '@angular/common/http';

@Injectable({ providedIn: 'root' })
export class AuthService {
  constructor(private http: HttpClient) {}
  login(credentials: any) {
    return this.http.post('/api/auth/login', credentials);
  }
}
"""
    package = _package(tmp_path, "package.json", {"src/app/posthog.service.ts": service})
    assert not package.posthog.has_identify and "identify" in package.posthog.identify_functions
    assert _warned("src/app/auth.service.ts", login, package)
    identified = login.replace(
        "return this.http.post('/api/auth/login', credentials);",
        "return this.http.post<any>('/api/auth/login', credentials).pipe(tap((u) => this.posthog.identify(u.id)));",
    )
    assert not _warned("src/app/auth.service.ts", identified, package)


def test_a_same_file_helper_named_identify_counts_only_when_it_identifies():
    source = """'use client'
import posthog from 'posthog-js'

function identify(me) {
  console.log('signed in', me.id)
}

async function authenticate(path, event) {
  event.preventDefault()
  const res = await fetch(path, { method: 'POST', body: JSON.stringify({ email, password }) })
  const user = await res.json()
  identify(user)
  setMe(user)
}

export default function Home() {
  return <form onSubmit={(e) => authenticate('/api/login', e)} />
}
"""
    flows = [f for f in flows_in_source("app/page.tsx", source) if f.needs_identify]
    assert flows and not any(f.identify_present for f in flows)
    wired = source.replace("  console.log('signed in', me.id)\n", "  posthog.identify(me.id)\n")
    flows = [f for f in flows_in_source("app/page.tsx", wired) if f.needs_identify]
    assert flows and all(f.identify_present for f in flows)
