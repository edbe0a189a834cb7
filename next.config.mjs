/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only native and Node modules never go into a bundle.
  serverExternalPackages: ['better-sqlite3', 'ws'],
};

export default nextConfig;
