"""Client-side shapes found in real apps: Angular services whose flow-named methods POST to a neutral or concatenated
URL, Firebase Auth triggers, Expo / React Native token stores emptied on logout, AWS Amplify (v5 `Auth.*` and v6
function style), jQuery forms posting to their own `action`, and guard middleware named after the state it checks.
Look-alikes (a GET of users, a profile update, a search form, a Cancel button, an empty trigger) ask for nothing.
Each snippet is a small app written for this test."""

from __future__ import annotations

from lsp_server.analysis.model import FlowKind
from lsp_server.analysis.vocabulary import load
from tests.flows_support import flows_in_source


def _line(source: str, needle: str) -> int:
    return next(i for i, line in enumerate(source.split("\n")) if needle in line)


def _by_symbol(path: str, source: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for flow in flows_in_source(path, source):
        out.setdefault(flow.symbol, []).append(flow)
    return out


# --- 1. Angular services ----------------------------------------------------------------------------------------

ANGULAR_AUTH_SERVICE = """
import { Injectable } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { BehaviorSubject } from 'rxjs';
import { tap } from 'rxjs/operators';
import { environment } from '../environments/environment';

@Injectable({ providedIn: 'root' })
export class AuthService {
  BASE_URL = 'http://localhost:3000/api';
  currentUser = new BehaviorSubject(null);

  constructor(private http: HttpClient, private router: Router) {}

  register(user) {
    this.http.post(this.BASE_URL + '/users', user).subscribe(res => {
      localStorage.setItem('token', res['token']);
      this.router.navigate(['/']);
    });
  }

  signUp(users) {
    return this.http.post(`${environment.api}/users`, users, { observe: 'response' }).subscribe(r => {
      localStorage.setItem('user', JSON.stringify(r.body));
      this.router.navigate(['/']);
    });
  }

  login(credentials) {
    return this.http.post<any>(this.BASE_URL + '/sessions', credentials).pipe(
      tap(res => {
        this.currentUser.next(res.user);
      })
    );
  }

  getUsers() {
    return this.http.get(this.BASE_URL + '/users');
  }

  updateProfile(profile) {
    return this.http.post(this.BASE_URL + '/users/profile', profile);
  }

  deleteComment(id) {
    return this.http.post(this.BASE_URL + '/comments/delete', { id });
  }
}
"""


def test_angular_register_posting_to_a_concatenated_neutral_url_is_a_signup_in_its_subscribe_callback():
    flows = _by_symbol("src/app/auth.service.ts", ANGULAR_AUTH_SERVICE)
    [flow] = flows["AuthService.register"]
    assert (flow.kind, flow.side) == (FlowKind.SIGNUP, "client")
    assert flow.confidence >= 0.7 and flow.needs_identify
    assert flow.insert_line == _line(ANGULAR_AUTH_SERVICE, "localStorage.setItem('token'")  # the success callback
    assert flow.user_id_expr is None  # `user` is the posted form: it has no id yet


def test_angular_signup_to_a_template_url_identifies_the_user_it_stores():
    [flow] = _by_symbol("src/app/auth.service.ts", ANGULAR_AUTH_SERVICE)["AuthService.signUp"]
    assert flow.kind == FlowKind.SIGNUP
    assert flow.user_id_expr == "r.body.id"
    assert flow.insert_line == _line(ANGULAR_AUTH_SERVICE, "localStorage.setItem('user'")


def test_angular_login_identifies_the_user_handed_to_the_current_user_subject():
    [flow] = _by_symbol("src/app/auth.service.ts", ANGULAR_AUTH_SERVICE)["AuthService.login"]
    assert flow.kind == FlowKind.LOGIN and flow.needs_identify
    assert flow.user_id_expr == "res.user.id"
    assert flow.insert_line == _line(ANGULAR_AUTH_SERVICE, "this.currentUser.next(res.user)")


def test_angular_service_reads_profile_updates_and_other_posts_are_not_flows():
    flows = _by_symbol("src/app/auth.service.ts", ANGULAR_AUTH_SERVICE)
    assert set(flows) == {"AuthService.register", "AuthService.signUp", "AuthService.login"}


AXIOS_AUTH_SERVICE = """
import axios from "axios";

const API_URL = "http://localhost:8080/api/auth/";

class AuthService {
  login(username, password) {
    return axios
      .post(API_URL + "signin", { username, password })
      .then(response => {
        if (response.data.accessToken) {
          localStorage.setItem("user", JSON.stringify(response.data));
        }
        return response.data;
      });
  }

  logout() {
    localStorage.removeItem("user");
  }

  register(username, email, password) {
    return axios.post(API_URL + "signup", { username, email, password });
  }
}

export default new AuthService();
"""


def test_axios_service_in_a_services_folder_is_browser_code_and_reads_concatenated_urls():
    flows = _by_symbol("src/services/auth.service.js", AXIOS_AUTH_SERVICE)
    [login] = flows["AuthService.login"]
    assert (login.kind, login.side) == (FlowKind.LOGIN, "client")
    assert login.user_id_expr == "response.data.id"
    assert login.insert_line == _line(AXIOS_AUTH_SERVICE, 'localStorage.setItem("user"')
    [signup] = flows["AuthService.register"]
    assert signup.kind == FlowKind.SIGNUP and signup.user_id_expr is None
    [logout] = flows["AuthService.logout"]
    assert logout.kind == FlowKind.LOGOUT and logout.needs_reset


REDUX_THUNKS = """
import axios from 'axios'

export const register = (name, email, password) => async (dispatch) => {
  try {
    const { data } = await axios.post('/api/users', { name, email, password })
    dispatch({ type: USER_REGISTER_SUCCESS, payload: data })
    localStorage.setItem('userInfo', JSON.stringify(data))
  } catch (error) {
    dispatch({ type: USER_REGISTER_FAIL, payload: error.message })
  }
}

export const logout = () => (dispatch) => {
  localStorage.removeItem('userInfo')
  dispatch({ type: USER_LOGOUT })
}

export const updateUserProfile = (user) => async (dispatch) => {
  const { data } = await axios.put('/api/users/profile', user)
  dispatch({ type: USER_UPDATE_PROFILE_SUCCESS, payload: data })
}
"""


def test_redux_thunks_take_their_creators_name_and_a_neutral_post_is_the_signup():
    flows = _by_symbol("src/actions/userActions.js", REDUX_THUNKS)
    assert {s: [f.kind for f in fs] for s, fs in flows.items()} == {
        "register": [FlowKind.SIGNUP],
        "logout": [FlowKind.LOGOUT],
    }
    [signup] = flows["register"]
    assert signup.user_id_expr == "data.id"  # the stored user info, not the posted name / email
    assert signup.insert_line == _line(REDUX_THUNKS, "localStorage.setItem('userInfo'")


EXPRESS_PLUGIN = """
const express = require('express');
const axios = require('axios');

function register(app) {
  app.post('/users', async (req, res) => res.json(await listUsers()));
}

async function login(client) {
  await axios.post('https://api.example.com/v2/sessions', { key: process.env.KEY });
}

module.exports = { register, login };
"""


def test_server_code_named_register_or_login_that_posts_is_no_browser_flow():
    assert flows_in_source("src/plugins/users.js", EXPRESS_PLUGIN) == []


PYTHON_CLIENT = """
import requests


class Api:
    def login(self):
        return requests.post(self.base + "/v2/sessions", json={"key": self.key})
"""


def test_python_api_client_login_posting_to_a_neutral_url_is_not_a_flow():
    assert flows_in_source("scripts/api.py", PYTHON_CLIENT) == []


# --- 2. Firebase Auth triggers ----------------------------------------------------------------------------------

FIREBASE_V1 = """
const functions = require('firebase-functions');
const admin = require('firebase-admin');
admin.initializeApp();

exports.newUserSignup = functions.auth.user().onCreate(user => {
  return admin.firestore().collection('users').doc(user.uid).set({ email: user.email, upvotedOn: [] });
});

exports.cleanup = functions.region('europe-west1').auth.user().onDelete(async (user) => {
  await admin.firestore().collection('users').doc(user.uid).delete();
});

exports.placeholder = functions.auth.user().onCreate((user) => {});

exports.onPost = functions.firestore.document('posts/{id}').onCreate(async (snap) => {
  await notify(snap.data());
});
"""


def test_firebase_auth_user_on_create_is_a_server_signup_with_the_uid():
    flows = _by_symbol("functions/index.js", FIREBASE_V1)
    [signup] = flows["newUserSignup"]
    assert (signup.kind, signup.side, signup.user_id_expr) == (FlowKind.SIGNUP, "server", "user.uid")
    assert signup.insert_line == _line(FIREBASE_V1, "return admin.firestore().collection('users').doc(user.uid)")


def test_firebase_auth_user_on_delete_is_an_account_deletion_with_the_uid():
    [deleted] = _by_symbol("functions/index.js", FIREBASE_V1)["cleanup"]
    assert (deleted.kind, deleted.user_id_expr) == (FlowKind.ACCOUNT_DELETED, "user.uid")


def test_empty_firebase_trigger_and_firestore_triggers_are_not_flows():
    flows = _by_symbol("functions/index.js", FIREBASE_V1)
    assert "placeholder" not in flows and "onPost" not in flows


FIREBASE_BY_NAME = """
const functions = require('firebase-functions');
const admin = require('firebase-admin');

const createProfile = async (user) => {
  await admin.firestore().doc(`users/${user.uid}`).set({ email: user.email });
};

function formatUser(user) {
  return { ...user, name: user.displayName };
}

exports.createProfile = functions.auth.user().onCreate(createProfile);
"""


def test_firebase_trigger_given_a_local_function_by_name_reports_that_function():
    [flow] = flows_in_source("functions/index.js", FIREBASE_BY_NAME)
    assert (flow.kind, flow.symbol, flow.user_id_expr) == (FlowKind.SIGNUP, "createProfile", "user.uid")
    assert flow.insert_line == _line(FIREBASE_BY_NAME, "};")


FIREBASE_V2 = """
import { beforeUserCreated } from "firebase-functions/v2/identity";
import { getFirestore } from "firebase-admin/firestore";

export const beforecreated = beforeUserCreated(async (event) => {
  const user = event.data;
  await getFirestore().collection("profiles").doc(user.uid).set({ email: user.email });
});
"""


def test_a_workspace_scan_parses_trigger_files_that_name_no_flow():
    source = "exports.p = functions.auth.user().onCreate(async (u) => { await db.doc(u.uid).set({}) })"
    assert load().might_contain_flow(source)
    assert load().might_contain_flow("export const b = beforeUserCreated(async (e) => save(e.data.uid))")


def test_firebase_v2_before_user_created_is_a_signup_with_the_event_uid():
    [flow] = flows_in_source("functions/src/index.ts", FIREBASE_V2)
    assert (flow.kind, flow.symbol, flow.side) == (FlowKind.SIGNUP, "beforecreated", "server")
    assert flow.user_id_expr == "event.data.uid"


# --- 3. Expo / React Native token stores -------------------------------------------------------------------------

EXPO_SIGN_OUT = """
import * as SecureStore from 'expo-secure-store';
import AsyncStorage from '@react-native-async-storage/async-storage';

export default class SignOutScreen extends React.Component {
  _signOutAsync = async () => {
    await SecureStore.deleteItemAsync('token');
    this.props.navigation.navigate('Auth');
  };
}

export async function logout() {
  await AsyncStorage.removeItem('userToken');
}

export async function discardDraft() {
  await SecureStore.deleteItemAsync('draft');
}
"""


def test_expo_secure_store_and_async_storage_removals_support_a_logout_name():
    flows = _by_symbol("src/screens/SignOutScreen.js", EXPO_SIGN_OUT)
    [sign_out] = flows["_signOutAsync"]
    assert (sign_out.kind, sign_out.side) == (FlowKind.LOGOUT, "client")
    assert sign_out.confidence >= 0.85 and "calls SecureStore.deleteItemAsync" in sign_out.evidence
    [logout] = flows["logout"]
    assert logout.kind == FlowKind.LOGOUT and "calls AsyncStorage.removeItem" in logout.evidence
    assert "discardDraft" not in flows


# --- 4. AWS Amplify ---------------------------------------------------------------------------------------------

AMPLIFY_V5 = """
import React, { useState } from 'react';
import { Auth } from 'aws-amplify';

export default function Signup() {
  async function handleSubmit(event) {
    event.preventDefault();
    const newUser = await Auth.signUp({ username: fields.email, password: fields.password });
    setNewUser(newUser);
  }

  async function handleConfirmationSubmit(event) {
    event.preventDefault();
    await Auth.confirmSignUp(fields.email, fields.confirmationCode);
    await Auth.signIn(fields.email, fields.password);
    userHasAuthenticated(true);
  }

  return newUser === null ? renderForm() : renderConfirmationForm();
}
"""


def test_amplify_confirm_sign_up_is_not_a_second_signup():
    flows = flows_in_source("src/containers/Signup.js", AMPLIFY_V5)
    kinds = {(f.symbol, f.kind) for f in flows}
    assert kinds == {("handleSubmit", FlowKind.SIGNUP), ("handleConfirmationSubmit", FlowKind.LOGIN)}


def test_amplify_v5_sign_up_identifies_with_the_cognito_user_sub():
    [signup] = [f for f in flows_in_source("src/containers/Signup.js", AMPLIFY_V5) if f.kind == FlowKind.SIGNUP]
    assert (signup.side, signup.user_id_expr) == ("client", "newUser.userSub")


AMPLIFY_V5_LOGIN = """
import { Auth } from 'aws-amplify';

export async function handleLogin(event) {
  event.preventDefault();
  const user = await Auth.signIn(fields.email, fields.password);
  userHasAuthenticated(true);
}
"""


def test_amplify_v5_sign_in_identifies_with_the_cognito_sub_which_a_pending_challenge_leaves_empty():
    [login] = flows_in_source("src/containers/Login.js", AMPLIFY_V5_LOGIN)
    assert (login.kind, login.side) == (FlowKind.LOGIN, "client")
    assert login.user_id_expr == "user.attributes?.sub"


AMPLIFY_V6 = """
import { signIn, signUp, signOut, confirmSignUp } from 'aws-amplify/auth';

export async function handleSignUp({ username, password, email }) {
  const { isSignUpComplete, userId, nextStep } = await signUp({
    username,
    password,
    options: { userAttributes: { email } },
  });
  return nextStep;
}

export async function handleSignUpConfirmation({ username, confirmationCode }) {
  const { isSignUpComplete, nextStep } = await confirmSignUp({ username, confirmationCode });
  return isSignUpComplete;
}

export async function handleSignIn({ username, password }) {
  const { isSignedIn, nextStep } = await signIn({ username, password });
  return isSignedIn;
}

export async function handleSignOut() {
  await signOut();
}
"""


def test_amplify_v6_functions_are_client_flows_and_confirmation_is_none():
    flows = _by_symbol("src/lib/auth.ts", AMPLIFY_V6)
    assert {s: [f.kind for f in fs] for s, fs in flows.items()} == {
        "handleSignUp": [FlowKind.SIGNUP],
        "handleSignIn": [FlowKind.LOGIN],
        "handleSignOut": [FlowKind.LOGOUT],
    }
    assert all(f.side == "client" for fs in flows.values() for f in fs)
    assert flows["handleSignUp"][0].user_id_expr == "userId"


# --- 5. jQuery forms posting to their own action -----------------------------------------------------------------

JQUERY_FORMS = """
$(document).ready(function () {
  $('#login-form').on('submit', function (e) {
    e.preventDefault();
    $.post($(this).attr('action'), $(this).serialize(), function (data) {
      window.location.href = '/';
    });
  });

  $('#signup-form').submit((e) => {
    e.preventDefault();
    const target = $(e.target);
    $.ajax({ url: target.attr('action'), type: 'POST', data: target.serialize() });
  });

  $('#search-form').on('submit', function (e) {
    e.preventDefault();
    $.post($(this).attr('action'), $(this).serialize());
  });

  $('#login-btn').click(function () {
    $('#loginModal').show();
  });

  $('#cancel').on('click', function () {
    $('#modal').hide();
  });
});
"""


def test_jquery_login_form_posting_to_its_action_is_a_login_in_the_success_callback():
    flows = _by_symbol("static/js/login.js", JQUERY_FORMS)
    [login] = flows["$('#login-form') submit"]
    assert (login.kind, login.side) == (FlowKind.LOGIN, "client")
    assert login.insert_line == _line(JQUERY_FORMS, "window.location.href = '/'")


def test_jquery_signup_form_shorthand_submit_with_ajax_post_is_a_signup():
    [signup] = _by_symbol("static/js/login.js", JQUERY_FORMS)["$('#signup-form') submit"]
    assert signup.kind == FlowKind.SIGNUP


def test_jquery_search_form_modal_button_and_cancel_are_not_flows():
    flows = flows_in_source("static/js/login.js", JQUERY_FORMS)
    assert sorted(f.kind.value for f in flows) == ["login", "signup"]


VANILLA_FORMS = """
const loginForm = document.getElementById('loginForm');

loginForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const res = await fetch(loginForm.action, { method: 'POST', body: new FormData(loginForm) });
  if (res.ok) window.location.href = '/dashboard';
});

document.querySelector('#register').addEventListener('submit', async (e) => {
  e.preventDefault();
  await fetch(e.target.action, { method: 'POST', body: new FormData(e.target) });
});

$(document).on('submit', '#signin', function (e) {
  e.preventDefault();
  $.post($(this).attr('action'), $(this).serialize());
});

document.getElementById('filters').addEventListener('submit', async (e) => {
  await fetch(e.target.action, { method: 'POST', body: new FormData(e.target) });
});
"""


def test_listeners_on_a_form_named_for_a_flow_posting_to_its_action_are_that_flow():
    flows = flows_in_source("public/js/auth.js", VANILLA_FORMS)
    assert all(f.side == "client" for f in flows)
    found = {(f.symbol, f.kind) for f in flows}
    assert ("loginForm submit", FlowKind.LOGIN) in found
    assert ("document.querySelector('#register') submit", FlowKind.SIGNUP) in found
    assert "document.getElementById('filters') submit" not in {f.symbol for f in flows}


def test_delegated_jquery_submit_reads_the_selector_argument():
    flows = flows_in_source("public/js/auth.js", VANILLA_FORMS)
    assert [f.kind for f in flows if f.symbol == "$(document) submit"] == [FlowKind.LOGIN]  # '#signin'
    assert len(flows) == 3


# --- 6. guards named after the state they check -------------------------------------------------------------------

JS_GUARDS = """
const jwt = require('jsonwebtoken');

exports.requiresApiLogin = function (req, res, next) {
  if (!req.isAuthenticated()) { res.status(403); res.end(); } else { next(); }
};
exports.loginRequired = function (req, res, next) {
  if (!req.user) return res.redirect('/login');
  next();
};
function ensureLoggedIn(req, res, next) {
  if (req.session.user) return next();
  res.redirect('/login');
}
const requireAuth = (req, res, next) => {
  jwt.verify(req.headers.authorization, process.env.SECRET);
  next();
};
const verifyAccessToken = (req, res, next) => {
  jwt.verify(req.headers.authorization.split(' ')[1], process.env.SECRET, (err, payload) => {
    if (err) return next(err);
    req.payload = payload;
    next();
  });
};
module.exports = { ensureLoggedIn, requireAuth, verifyAccessToken };
"""


def test_js_guard_middleware_named_for_login_is_never_a_login():
    assert flows_in_source("server/config/auth.js", JS_GUARDS) == []


CONTROLLER_WITH_NEXT = """
const { loginWithCode } = require('../lib/codes');

exports.login = async (req, res, next) => {
  try {
    const session = await loginWithCode(req.body.code);
    res.json({ token: session.token });
  } catch (err) {
    next(err);
  }
};
"""


def test_controller_taking_next_for_errors_is_still_a_login():
    [flow] = flows_in_source("server/controllers/auth.js", CONTROLLER_WITH_NEXT)
    assert (flow.kind, flow.symbol) == (FlowKind.LOGIN, "login")


PY_GUARDS = """
from functools import wraps
from flask import session, redirect, url_for, request


def login_required(f):
    @wraps(f)
    def decorated(*args, **kwargs):
        if "user_id" not in session:
            return redirect(url_for("login", next=request.url))
        return f(*args, **kwargs)
    return decorated


def requires_login(view):
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("/login")
        return view(request, *args, **kwargs)
    return wrapper


def ensure_logged_in(request):
    if not request.session.get("uid"):
        raise PermissionError()
    return True
"""


def test_python_guard_decorators_named_for_login_are_never_a_login():
    assert flows_in_source("app/auth.py", PY_GUARDS) == []


# --- React Router data-router actions and handlers calling a flow-named API (eval findings, session 4) -------------

ROUTER_ACTION = """
import { redirect } from 'react-router-dom';

export async function action({ request }) {
  const data = await request.json();
  return fetch('http://localhost:8080/auth/signup', {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(data),
  }).then((res) => {
    if (!res.ok) throw new Error('failed');
    return redirect('/login');
  });
}
"""


def test_react_router_action_outside_file_routes_is_a_handler_whose_url_names_the_flow():
    [flow] = flows_in_source("frontend/src/pages/SignUp/action.js", ROUTER_ACTION)
    assert (flow.kind, flow.symbol) == (FlowKind.SIGNUP, "action")
    assert flow.insert_line == _line(ROUTER_ACTION, "return redirect('/login')")


TYPED_ACTION = """
import { ActionFunctionArgs, redirect } from 'react-router-dom';
import { signUpApi } from '@/services/api/auth';
import { loadProfile } from '@/services/api/profile';

export const SignUpAction = async ({ request }: ActionFunctionArgs) => {
  const formData = await request.formData();
  await signUpApi({ email: formData.get('email') as string, password: formData.get('password') as string });
  return redirect('/welcome');
};

export const ProfileAction = async ({ request }: ActionFunctionArgs) => {
  await loadProfile(await request.formData());
  return redirect('/profile');
};

"""


def test_pascal_case_typed_action_is_no_component_and_its_signup_api_call_is_the_signup():
    flows = flows_in_source("src/services/actions/auth/sign-up.action.ts", TYPED_ACTION)
    assert [(f.kind, f.symbol) for f in flows] == [(FlowKind.SIGNUP, "SignUpAction")]
    assert flows[0].insert_line == _line(TYPED_ACTION, "return redirect('/welcome')")


HANDLER_CALLS = """
import { loginRequest } from '../api/auth';

export function LoginForm() {
  const handleSubmit = async (values) => {
    const { user } = await loginRequest(values);
    navigate('/');
  };
  const handleClick = () => goToLogin();
  const onSwitch = () => switchToSignup();
  return <form onSubmit={handleSubmit} />;
}
"""


def test_handler_calling_an_imported_login_request_is_a_login_but_navigation_helpers_are_not():
    flows = flows_in_source("src/components/LoginForm.jsx", HANDLER_CALLS)
    assert [(f.kind, f.symbol) for f in flows] == [(FlowKind.LOGIN, "handleSubmit")]
    assert flows[0].insert_line == _line(HANDLER_CALLS, "navigate('/')")


CANCEL_SUBSCRIBE = """
'use client';

export default function Cancel() {
  const handleCancelSubscribe = async () => {
    const res = await fetch('/api/paystack/cancelSubscribe', { method: 'POST' });
    const data = await res.json();
    window.location.href = data.url;
  };
  return <button onClick={handleCancelSubscribe}>Cancel Premium</button>;
}
"""


def test_cancel_subscribe_handler_is_a_subscription_cancellation():
    [flow] = flows_in_source("src/app/components/subscribe/cancel.tsx", CANCEL_SUBSCRIBE)
    assert (flow.kind, flow.symbol) == (FlowKind.SUBSCRIPTION_CANCELLED, "handleCancelSubscribe")


ONSUBMIT_PROPERTY = """
document.getElementById('login-form').onsubmit = async function (e) {
  e.preventDefault();
  const res = await fetch(e.target.action, { method: 'POST', body: new FormData(e.target) });
  if (res.ok) window.location.href = '/';
};

document.getElementById('search').onsubmit = async (e) => {
  await fetch('/api/search', { method: 'POST', body: new FormData(e.target) });
};
"""


def test_onsubmit_property_on_a_login_form_is_a_login_and_a_search_form_is_not():
    [flow] = flows_in_source("public/js/app.js", ONSUBMIT_PROPERTY)
    assert (flow.kind, flow.side) == (FlowKind.LOGIN, "client")
    assert "name 'login' says login" in flow.evidence


ATTRIBUTE_SELECTOR = """
jQuery('form[name="signup"]').on('submit', function (event) {
  event.preventDefault();
  jQuery.ajax({ url: this.action, method: 'POST', data: jQuery(this).serialize() });
});
"""


def test_attribute_selector_naming_the_form_is_read_like_an_id():
    [flow] = flows_in_source("assets/js/forms.js", ATTRIBUTE_SELECTOR)
    assert (flow.kind, flow.side) == (FlowKind.SIGNUP, "client")


PLACEHOLDER_SIGN_IN = """
import AsyncStorage from '@react-native-async-storage/async-storage';

export default class SignInScreen extends React.Component {
  render() {
    return <Button title="Sign in!" onPress={this._signInAsync} />;
  }

  _signInAsync = async () => {
    await AsyncStorage.setItem('userToken', 'abc');
    this.props.navigation.navigate('App');
  };

  _signInWithApi = async () => {
    const res = await api.post('/sessions', this.state.form);
    await AsyncStorage.setItem('userToken', res.data.token);
    this.props.navigation.navigate('App');
  };
}
"""


def test_tutorial_sign_in_storing_a_literal_token_asks_for_no_identify_but_a_real_one_does():
    flows = _by_symbol("screens/SignInScreen.js", PLACEHOLDER_SIGN_IN)
    [placeholder] = flows["_signInAsync"]
    assert placeholder.kind == FlowKind.LOGIN and not placeholder.needs_identify
    [real] = flows["_signInWithApi"]
    assert real.kind == FlowKind.LOGIN and real.needs_identify


PASCAL_API_FUNCTIONS = """
import axios from 'axios';

const API = process.env.REACT_APP_API;

export async function LoginUser(credentials) {
  const res = await axios.post(API + '/sessions', credentials);
  localStorage.setItem('user', JSON.stringify(res.data.user));
  return res.data;
}
"""

PASCAL_COMPONENT = """
import React from 'react';
import axios from 'axios';

export default function Login() {
  axios.post('/api/visits', { page: 'login' });
  return <LoginForm />;
}
"""


def test_pascal_case_function_in_a_file_without_jsx_is_named_for_its_flow_but_a_component_is_not():
    [flow] = flows_in_source("src/api/auth.js", PASCAL_API_FUNCTIONS)
    assert (flow.kind, flow.symbol, flow.side) == (FlowKind.LOGIN, "LoginUser", "client")
    assert flow.user_id_expr == "res.data.user.id"
    assert flows_in_source("src/pages/Login.jsx", PASCAL_COMPONENT) == []


AJAX_SUCCESS = """
$('#login-form').on('submit', function (e) {
  e.preventDefault();
  $.ajax({
    url: $(this).attr('action'),
    type: 'POST',
    data: $(this).serialize(),
    success: function (res) {
      localStorage.setItem('user', JSON.stringify(res.user));
      window.location = '/';
    },
    error: function () {
      alert('Wrong email or password');
    },
  });
});
"""


def test_ajax_success_option_is_where_the_login_succeeds_and_the_stored_user_is_identified():
    [flow] = flows_in_source("public/js/login.js", AJAX_SUCCESS)
    assert (flow.kind, flow.user_id_expr) == (FlowKind.LOGIN, "res.user.id")
    assert flow.insert_line == _line(AJAX_SUCCESS, "localStorage.setItem('user'")


EVENT_REGISTRATION = """
import { Injectable } from '@angular/core';
import { HttpClient } from '@angular/common/http';

@Injectable({ providedIn: 'root' })
export class EventService {
  constructor(private http: HttpClient) {}

  registerForEvent(eventId: string, attendee) {
    return this.http.post(`${this.api}/events/${eventId}/attendees`, attendee);
  }

  registerDevice(token: string) {
    return this.http.post(`${this.api}/devices`, { token });
  }
}
"""


def test_registering_for_an_event_or_a_device_is_no_signup():
    assert flows_in_source("src/app/event.service.ts", EVENT_REGISTRATION) == []


# --- Vue / Nuxt composables (eval findings 17-FN-1/2/3) ------------------------------------------------------------

NUXT_ASYNC_COMPOSABLE = """
import axios from 'axios'

export const useSignIn = async (form: { email: string; password: string }) => {
  const store = useSessionStore()
  const response = await axios.post('/api/session/new', form)
  await store.setToken(response.data.token)
  await navigateTo('/dashboard')
}
"""


def test_async_use_function_is_no_react_hook_and_counts_by_its_name():
    [flow] = flows_in_source("composables/signin.ts", NUXT_ASYNC_COMPOSABLE)
    assert (flow.kind, flow.symbol, flow.side) == (FlowKind.LOGIN, "useSignIn", "client")


NUXT_API_COMPOSABLE = """
export const useAccount = () => {
  const me = useState('me', () => null)
  const login = async (credentials) => {
    const res = await useApi('login', { method: 'POST', body: credentials })
    me.value = res.user
    navigateTo('/')
  }
  const register = async (details) => {
    await useFetch('register', { method: 'POST', body: details })
    navigateTo('/welcome')
  }
  const profile = async () => {
    return await useApi('profile')
  }
  return { me, login, register, profile }
}
"""


def test_nuxt_composable_functions_posting_through_use_api_to_bare_paths_are_flows():
    flows = _by_symbol("composables/account.ts", NUXT_API_COMPOSABLE)
    assert {s: [f.kind for f in fs] for s, fs in flows.items()} == {
        "login": [FlowKind.LOGIN],
        "register": [FlowKind.SIGNUP],
    }
    assert flows["login"][0].user_id_expr == "res.user.id"
    assert flows["login"][0].side == "client"


VUE_STORAGE_PROPERTY = """
import { ref } from 'vue'
import { authenticate } from '../services/auth'

export default function useSession() {
  const failed = ref(false)
  const logIn = async (form) => {
    const session = await authenticate(form)
    if (session && session.token) {
      localStorage.currentUser = JSON.stringify(session)
      return session
    }
    failed.value = true
  }
  const rememberTheme = (theme) => {
    localStorage.theme = theme
  }
  return { logIn, rememberTheme, failed }
}
"""


def test_storing_the_user_as_a_local_storage_property_supports_a_login_name():
    flows = flows_in_source("src/composables/useSession.js", VUE_STORAGE_PROPERTY)
    assert [(f.kind, f.symbol) for f in flows] == [(FlowKind.LOGIN, "logIn")]
    assert flows[0].user_id_expr is None  # `form` is what was typed in, not a user with an id
    assert flows[0].insert_line == _line(VUE_STORAGE_PROPERTY, "return session")
