// The variables Vite exposes to the browser (a Vite project gets these from `vite/client` types).
interface ImportMetaEnv {
  readonly DEV: boolean
  readonly VITE_PUBLIC_POSTHOG_KEY?: string
  readonly VITE_PUBLIC_POSTHOG_HOST?: string
  readonly VITE_API_URL?: string
}

interface ImportMeta {
  readonly env: ImportMetaEnv
}
