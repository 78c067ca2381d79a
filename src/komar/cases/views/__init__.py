"""Server-rendered case pages (thin: forms validate, services write, selectors read)."""
