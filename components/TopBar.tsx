'use client';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { StorageBanner } from './StorageBanner';
import { ThemeToggle } from './ThemeToggle';
import { AlertBell } from './alerts/AlertBell';

const TRACE_ID = /\b([0-9a-f]{32})\b/i;

/** App chrome: navigation, open-a-trace box, theme, logout. A trace id pasted anywhere (outside a text field) opens it. */
export function TopBar({ children }: { children?: ReactNode }) {
  const router = useRouter();
  const path = usePathname();
  const [jump, setJump] = useState('');
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
      const m = TRACE_ID.exec(e.clipboardData?.getData('text') ?? '');
      if (m) router.push(`/trace/${m[1].toLowerCase()}`);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [router]);
  const open = () => {
    const m = TRACE_ID.exec(jump);
    if (m) router.push(`/trace/${m[1].toLowerCase()}`);
  };
  return (
    <>
      <header className="topbar">
        <h1>
          <Link href="/">
            Swarm <span className="accent">X-Ray</span>
          </Link>
        </h1>
        <nav className="nav">
          <Link href="/" aria-current={path === '/' ? 'page' : undefined}>
            Swarm
          </Link>
          <Link href="/traces" aria-current={path?.startsWith('/trace') ? 'page' : undefined}>
            Traces
          </Link>
          <Link href="/sessions" aria-current={path?.startsWith('/session') ? 'page' : undefined}>
            Sessions
          </Link>
          <Link href="/gates" aria-current={path === '/gates' ? 'page' : undefined}>
            Gates
          </Link>
        </nav>
        {children}
        <div className="spacer" />
        <form
          className="jump"
          onSubmit={(e) => {
            e.preventDefault();
            open();
          }}
        >
          <input aria-label="Open a trace by id" placeholder="Paste a Neural Trace ID" value={jump} onChange={(e) => setJump(e.target.value)} />
        </form>
        <AlertBell />
        <ThemeToggle />
        <form method="post" action="/auth/logout">
          <button type="submit" className="ghost">
            log out
          </button>
        </form>
      </header>
      <StorageBanner />
    </>
  );
}
