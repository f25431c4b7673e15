// The variables Vite exposes to the browser (a Vite project gets these from `vite/client` types).
interface ImportMetaEnv {
  readonly [key: string]: any // as in vite/client: any VITE_* variable may be read
  readonly DEV: boolean
  readonly VITE_PUBLIC_POSTHOG_KEY?: string
  readonly VITE_PUBLIC_POSTHOG_HOST?: string
  readonly VITE_API_URL?: string
}

interface ImportMeta {
  readonly env: ImportMetaEnv
}
