'use client';
import { useEffect, useState } from 'react';

type Theme = 'system' | 'dark' | 'light';

/** Dark / light / system, remembered per browser; applied as data-theme on <html>. */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>('system');
  useEffect(() => {
    setTheme((localStorage.getItem('xray-theme') as Theme | null) ?? 'system');
  }, []);
  useEffect(() => {
    if (theme === 'system') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', theme);
    localStorage.setItem('xray-theme', theme);
  }, [theme]);
  const next: Record<Theme, Theme> = { system: 'dark', dark: 'light', light: 'system' };
  return (
    <button type="button" className="ghost" onClick={() => setTheme(next[theme])} title="Theme: system → dark → light">
      theme: {theme}
    </button>
  );
}
