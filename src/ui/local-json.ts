/**
 * One JSON value in localStorage under one key (the training run in progress, so a reload resumes
 * it). Without storage, or with an unreadable value, `read` gives null and `write` does nothing:
 * a reload then cannot resume by itself, but the checkpoint stored in the database is still offered.
 */
export function localJson<T>(key: string): { read(): T | null; write(value: T | null): void } {
  return {
    read(): T | null {
      try {
        const v = localStorage.getItem(key);
        return v ? (JSON.parse(v) as T) : null;
      } catch {
        return null;
      }
    },
    write(value: T | null): void {
      try {
        if (value) localStorage.setItem(key, JSON.stringify(value));
        else localStorage.removeItem(key);
      } catch {
        /* no storage */
      }
    },
  };
}
