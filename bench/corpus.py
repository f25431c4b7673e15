"""Generate a deterministic benchmark corpus: mostly ordinary code, ~2 % flow-like files.

    python bench/corpus.py OUT_DIR [--files 10000] [--seed 7]

Files are TS/TSX/JS/Python of realistic shape and size (median ~150 lines, ~4.8 KB on average), about ten per
folder in 20 packages, under a root `.gitignore` and `package.json`, so scan throughput, ripgrep and Semgrep
are compared on the same bytes.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = (  # noqa: SIM905
    "order invoice cart product catalog report widget panel table chart filter search route "
    "profile settings team project task comment post feed metric export import queue job cache "
    "inventory shipment address review rating tag label folder file upload download preview"
).split()

TS_ORDINARY = """import {{ useState, useEffect }} from 'react';
import type {{ {T}Props }} from './types';

export interface {T}Row {{ id: string; name: string; count: number; updatedAt: Date }}

export function format{T}(row: {T}Row): string {{
  const parts = [row.name, String(row.count)];
  if (row.count > {n}) {{ parts.push('many'); }}
  return parts.join(' / ');
}}

export function use{T}List(source: () => Promise<{T}Row[]>) {{
  const [rows, setRows] = useState<{T}Row[]>([]);
  const [loading, setLoading] = useState(false);
  useEffect(() => {{
    let alive = true;
    setLoading(true);
    source().then((r) => {{ if (alive) setRows(r); }}).finally(() => setLoading(false));
    return () => {{ alive = false; }};
  }}, [source]);
  return {{ rows, loading }};
}}

export class {T}Store {{
  private items = new Map<string, {T}Row>();
  add(row: {T}Row): void {{ this.items.set(row.id, row); }}
  remove(id: string): boolean {{ return this.items.delete(id); }}
  total(): number {{ let t = 0; for (const r of this.items.values()) t += r.count; return t; }}
  sorted(): {T}Row[] {{ return [...this.items.values()].sort((a, b) => a.name.localeCompare(b.name)); }}
}}
"""

TSX_ORDINARY = """'use client';
import {{ useMemo, useState }} from 'react';

type Props = {{ items: {{ id: string; label: string; value: number }}[]; onSelect?: (id: string) => void }};

export default function {T}Panel({{ items, onSelect }}: Props) {{
  const [query, setQuery] = useState('');
  const visible = useMemo(
    () => items.filter((i) => i.label.toLowerCase().includes(query.toLowerCase())),
    [items, query],
  );
  return (
    <section className="{w}-panel">
      <input value={{query}} onChange={{(e) => setQuery(e.target.value)}} placeholder="Filter {w}" />
      <ul>
        {{visible.map((i) => (
          <li key={{i.id}} onClick={{() => onSelect?.(i.id)}}>
            {{i.label}} <span>{{i.value.toFixed({d})}}</span>
          </li>
        ))}}
      </ul>
    </section>
  );
}}
"""

JS_ORDINARY = """const express = require('express');
const router = express.Router();

function paginate(list, page, size) {{
  const start = (page - 1) * size;
  return list.slice(start, start + size);
}}

router.get('/{w}s', async (req, res) => {{
  const page = Number(req.query.page || 1);
  const items = await req.db.{w}.findMany({{ take: {n} }});
  res.json({{ items: paginate(items, page, 20), page }});
}});

router.get('/{w}s/:id', async (req, res) => {{
  const item = await req.db.{w}.findUnique({{ where: {{ id: req.params.id }} }});
  if (!item) return res.status(404).json({{ error: 'not found' }});
  res.json(item);
}});

module.exports = router;
"""

PY_ORDINARY = """from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class {T}:
    id: int
    name: str
    tags: list[str] = field(default_factory=list)

    def label(self) -> str:
        return f"{{self.name}} ({{len(self.tags)}})"


def group_{w}s(items: list[{T}]) -> dict[str, list[{T}]]:
    groups: dict[str, list[{T}]] = {{}}
    for item in items:
        key = item.name[:1].lower() or "_"
        groups.setdefault(key, []).append(item)
    return groups


def top_{w}s(items: list[{T}], n: int = {n}) -> list[{T}]:
    return sorted(items, key=lambda i: (-len(i.tags), i.name))[:n]


class {T}Repository:
    def __init__(self, db):
        self.db = db

    def get(self, pk: int) -> {T} | None:
        row = self.db.fetch_one("select id, name from {w} where id = %s", [pk])
        return {T}(row[0], row[1]) if row else None
"""

FLOW_TS = """'use server';
import {{ redirect }} from 'next/navigation';
import {{ createClient }} from '@/lib/supabase/server';

export async function login(formData: FormData) {{
  const supabase = await createClient();
  const {{ data, error }} = await supabase.auth.signInWithPassword({{
    email: String(formData.get('email')),
    password: String(formData.get('password')),
  }});
  if (error) {{
    return {{ error: error.message }};
  }}
  redirect('/{w}s');
}}

export async function signup(formData: FormData) {{
  const supabase = await createClient();
  const {{ data, error }} = await supabase.auth.signUp({{
    email: String(formData.get('email')),
    password: String(formData.get('password')),
  }});
  if (error) return {{ error: error.message }};
  redirect('/welcome');
}}
"""

FLOW_JS = """const Stripe = require('stripe');
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);

async function handleStripeWebhook(req, res) {{
  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'], process.env.WH);
  switch (event.type) {{
    case 'checkout.session.completed':
      await markPaid(event.data.object.client_reference_id);
      break;
    case 'customer.subscription.deleted':
      await cancelPlan(event.data.object.customer);
      break;
    case 'invoice.payment_failed':
      await notifyBilling(event.data.object.customer);
      break;
  }}
  res.json({{ received: true }});
}}

module.exports = {{ handleStripeWebhook }};
"""

FLOW_PY = """from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render


def login_view(request):
    if request.method == "POST":
        user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
        if user is not None:
            login(request, user)
            return redirect("/{w}s")
    return render(request, "login.html")


def logout_view(request):
    logout(request)
    return redirect("/")
"""

GITIGNORE = """node_modules/
dist/
build/
.next/
coverage/
*.log
.env*
!.env.example
__pycache__/
*.pyc
.venv/
"""

ORDINARY = [(".ts", TS_ORDINARY), (".tsx", TSX_ORDINARY), (".js", JS_ORDINARY), (".py", PY_ORDINARY)]
FLOWS = [(".ts", FLOW_TS), (".js", FLOW_JS), (".py", FLOW_PY)]


def render(template: str, rng: random.Random) -> str:
    w = rng.choice(WORDS)
    return template.format(T=w.capitalize() + rng.choice(WORDS).capitalize(), w=w, n=rng.randint(3, 99),
                           d=rng.randint(0, 3))


def generate(out: Path, files: int = 10_000, seed: int = 7, flow_ratio: float = 0.02) -> int:
    """Write the corpus; returns the number of flow-like files."""
    rng = random.Random(seed)
    flows = 0
    for i in range(files):
        is_flow = rng.random() < flow_ratio
        ext, template = rng.choice(FLOWS if is_flow else ORDINARY)
        flows += is_flow
        # a few hundred lines per file: ordinary modules are several units glued together
        units = 1 if is_flow else rng.randint(3, 8)
        body = "\n".join(render(template, rng) for _ in range(units))
        # ~10 files per folder, folders grouped into 20 packages: the shape of a real monorepo
        leaf = i // 10
        path = out / f"pkg{leaf % 20:02d}" / "src" / f"{WORDS[leaf % len(WORDS)]}{leaf // 20:02d}" / f"file{i:05d}{ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    (out / ".gitignore").write_text(GITIGNORE)
    (out / "package.json").write_text('{"name": "bench-monorepo", "private": true, "workspaces": ["pkg*"]}\n')
    return flows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    flows = generate(args.out, args.files, args.seed)
    print(f"wrote {args.files} files ({flows} flow-like) to {args.out}")


if __name__ == "__main__":
    main()
