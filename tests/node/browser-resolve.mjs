// Resolve posthog-js the way bundlers (webpack, Vite) do: its package.json "module" build, whose default
// export is the ready client. Plain Node would load the CommonJS "main" build instead.
export async function resolve(specifier, context, next) {
  if (specifier === 'posthog-js') return next('posthog-js/dist/module.mjs', context);
  return next(specifier, context);
}
