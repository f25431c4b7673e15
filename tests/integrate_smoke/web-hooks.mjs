// Bundler behaviour for compiled app code (see web-env.mjs).
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('.') && !/\.[cm]?js$/.test(specifier)) {
    try {
      return await next(`${specifier}.js`, context)
    } catch {
      return next(`${specifier}/index.js`, context)
    }
  }
  return next(specifier, context)
}

export async function load(url, context, next) {
  const result = await next(url, context)
  if (url.includes('/.web/') && result.source) {
    const source = String(result.source).replaceAll('import.meta.env', 'globalThis.__VITE_ENV__')
    return { ...result, source }
  }
  return result
}
