// https://nuxt.com/docs/api/configuration/nuxt-config
export default defineNuxtConfig({
  compatibilityDate: '2024-11-01',
  runtimeConfig: {
    public: {
      // Declared so that Nuxt fills them at run time from NUXT_PUBLIC_POSTHOG_PUBLIC_KEY / NUXT_PUBLIC_POSTHOG_HOST.
      posthogPublicKey: '',
      posthogHost: 'https://us.i.posthog.com',
    },
  },
});
